"""Ingest: a document as received (bytes of some format) becomes clean text.

One reader per input format; each hands the segmenter plain text with the same
guarantees (decoded, boilerplate and repeated copies removed, every removal reported).
"""
