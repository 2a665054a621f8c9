"""Assemble and encode: sentence clips become chapter audio files.

Owns everything between the voice and the packagers: placing clips in a chapter with
its pauses (`assemble`, the one assembler), loudness, encoding (MP3, M4B), tags and chapter marks, and the manifest
that lets a rebuild reuse what it already encoded.
"""
