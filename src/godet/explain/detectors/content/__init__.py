"""The content family of causes, one detector module per kind of content (see each module):

``xflags`` (-ldflags -X strings), ``embed`` (embed.FS files), ``stamps`` (build times in strings),
``order`` (generated code and data in another order), ``source`` (changed Go code), ``strings``
(string variables and string literals), ``cgo`` (C code). They run in that order and share the
differing data runs still to explain through ``common.State``; each skips bytes an earlier step or
detector already claimed.
"""
