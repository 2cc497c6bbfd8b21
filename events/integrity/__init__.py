"""The pure core of the tamper-evident log: Merkle trees (`merkle`) and signed checkpoints (`note`).

No database, no web, no I/O: the standard library and `cryptography` only, so that anything in
the project (the sealer, the `verify` command, a partner agency's witness) can use it.
"""
