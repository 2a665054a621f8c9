"""accessible: a Chinese report in, an audiobook and an accessible EPUB 3 out.

The stages, in the one direction data flows (a stage knows the one before it, never
the one after):

    inputs/    ingest     a file of any format -> clean text
    segment               text -> Book (chapters, sections, paragraphs, sentences)
    speech/    speech     each sentence's spoken form, pinyin and origin map
    engines/, synth       one cached clip per sentence (audio + timings)
    audio/     assemble   clips -> chapter files, loudness, MP3/M4B, chapter marks
    outputs/   package    EPUB 3 with media overlays, captions, web page, check

`model` holds the dataclasses every stage shares; `timeline` turns placed clips into
the sentence and word times every output shows; `pipeline` runs the stages and
decides what is stale; `cli` is the command line.
"""
