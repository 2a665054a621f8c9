"""Package: the book and its placed audio become what readers open.

The EPUB 3 (XHTML pages, SMIL media overlays, cover, metadata), captions, the
listen-along web page and its local server, and `check`, which reads an EPUB back.
"""
