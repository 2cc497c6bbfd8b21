"""RFC 9162 §2.1 Merkle trees over leaf hashes: the root, the two proofs and their verifiers.

Written from the RFC text (§2.1.1 MTH, §2.1.3 PATH, §2.1.4 PROOF/SUBPROOF, and the iterative
verifiers of §2.1.3.2 and §2.1.4.2). Every function works on the list of *leaf hashes*
(`leaf_hash(entry)` for each entry, in log order), never on the entries themselves, so a
caller holding only hashes can build and check proofs.

Verifiers take nothing but hashes and sizes that the caller already trusts (from a signed
checkpoint); a proof is only a list of 32-byte hashes and carries no sizes or indices of its
own to be believed. They raise nothing: `verify_*` returns a bool, and `check_*` returns a
`Verdict` whose `reason` names the first thing that failed.

What the verifiers reject, beyond a hash that does not match:
- index >= tree_size (nothing is included in an empty tree); first_size > second_size;
  sizes or indices that are not ints in [0, 2**64); hashes that are not 32 bytes;
- a proof with an element left over (RFC step "if sn is 0 ... fail") or one too few (the
  final "sn is 0" test). Checking that every element is consumed and that the size is used
  up is what Haskell `hash-tree` 0.1.1 missed, and what let immudb before 1.4.1 (GO-2022-1117)
  accept a forged proof whose extra part was never bound to the sizes the client trusted;
- consistency from an empty tree (first_size == 0): we accept it with an empty proof only,
  and only if first_root is the empty tree's root SHA-256(b""); every tree extends the empty
  one, so nothing is said about second_root unless second_size is also 0;
- equal sizes with a non-empty proof, or with different roots.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeGuard

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
MAX_SIZE = 2**64  # tree sizes and indices are uint64 in RFC 9162
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_SIZE_BYTES = 8
_HEX_HASH = re.compile("[0-9a-f]{64}")


def leaf_hash(entry: bytes) -> bytes:
    """SHA-256(0x00 || entry): the hash of one log entry (RFC 9162 §2.1.1)."""
    return hashlib.sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right); the prefix keeps a node from passing as a leaf."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): where MTH splits a tree of n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


def _require_leaves(leaves: Sequence[bytes]) -> None:
    if any(len(leaf) != HASH_SIZE for leaf in leaves):
        raise ValueError("every leaf must be a 32-byte leaf hash")


def _mth(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]) by the recursive definition, without copying the list."""
    if hi - lo == 1:
        return leaves[lo]
    k = _split(hi - lo)
    return node_hash(_mth(leaves, lo, lo + k), _mth(leaves, lo + k, hi))


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes: the root that a checkpoint of size len(leaves) signs."""
    _require_leaves(leaves)
    return _mth(leaves, 0, len(leaves)) if leaves else EMPTY_ROOT


def _path(leaves: Sequence[bytes], m: int, lo: int, hi: int) -> list[bytes]:
    """PATH(m, D[lo:hi]): siblings from the leaf up to the root."""
    if hi - lo == 1:
        return []
    k = _split(hi - lo)
    if m < k:
        return [*_path(leaves, m, lo, lo + k), _mth(leaves, lo + k, hi)]
    return [*_path(leaves, m - k, lo + k, hi), _mth(leaves, lo, lo + k)]


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]): lets a holder of the root check that leaves[index] is in the tree."""
    _require_leaves(leaves)
    if not 0 <= index < len(leaves):
        raise ValueError(f"no leaf {index} in a tree of {len(leaves)}")
    return _path(leaves, index, 0, len(leaves))


class MerkleTree:
    """Every level of the tree over `leaves`, built once, so that many inclusion proofs cost
    O(log n) each rather than O(n): a dispute pack proves every event of a case at once.

    RFC 9162's tree splits at the largest power of two, which is the tree built level by
    level pairing nodes left to right, a last node without a partner carried up unchanged.
    """

    def __init__(self, leaves: Sequence[bytes]) -> None:
        _require_leaves(leaves)
        levels = [list(leaves)]
        while len(levels[-1]) > 1:
            below = levels[-1]
            above = [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            if len(below) % 2:
                above.append(below[-1])
            levels.append(above)
        self._levels = levels

    @property
    def size(self) -> int:
        return len(self._levels[0])

    def root(self) -> bytes:
        return self._levels[-1][0] if self.size else EMPTY_ROOT

    def inclusion_proof(self, index: int) -> list[bytes]:
        """The same proof as `inclusion_proof(leaves, index)`."""
        if not 0 <= index < self.size:
            raise ValueError(f"no leaf {index} in a tree of {self.size}")
        proof = []
        for level in self._levels[:-1]:
            sibling = index ^ 1
            if sibling < len(level):
                proof.append(level[sibling])
            index >>= 1
        return proof


def _subproof(leaves: Sequence[bytes], m: int, lo: int, hi: int, *, known: bool) -> list[bytes]:
    """SUBPROOF(m, D[lo:hi], b); `known` is b: the verifier already holds MTH(D[lo:lo+m])."""
    if m == hi - lo:
        return [] if known else [_mth(leaves, lo, hi)]
    k = _split(hi - lo)
    if m <= k:
        return [*_subproof(leaves, m, lo, lo + k, known=known), _mth(leaves, lo + k, hi)]
    return [*_subproof(leaves, m - k, lo + k, hi, known=False), _mth(leaves, lo, lo + k)]


def consistency_proof(leaves: Sequence[bytes], first_size: int) -> list[bytes]:
    """PROOF(first_size, D[n]): shows the tree of first_size leaves is a prefix of this one.

    Empty when first_size is 0 or n (there is nothing to prove; see the module docstring).
    """
    _require_leaves(leaves)
    if not 0 <= first_size <= len(leaves):
        raise ValueError(f"no prefix of {first_size} leaves in a tree of {len(leaves)}")
    if first_size in {0, len(leaves)}:
        return []
    return _subproof(leaves, first_size, 0, len(leaves), known=True)


class Reason(StrEnum):
    """Why a proof was or was not accepted."""

    VERIFIED = "verified"
    BAD_SIZE = "a size is not an int in [0, 2**64)"
    BAD_INDEX = "the index is not an int in [0, 2**64)"
    BAD_HASH = "a hash or proof element is not 32 bytes"
    INDEX_OUT_OF_RANGE = "the index is not below the tree size"
    SIZES_REVERSED = "the first size is larger than the second"
    EMPTY_PROOF = "the proof is empty but the sizes need one"
    UNEXPECTED_PROOF = "the sizes need an empty proof"
    PROOF_TOO_LONG = "the proof has elements left over"
    PROOF_TOO_SHORT = "the proof ends before the tree size is used up"
    ROOT_MISMATCH = "the proof does not lead to the root"
    FIRST_ROOT_MISMATCH = "the proof does not lead to the first root"
    SECOND_ROOT_MISMATCH = "the proof does not lead to the second root"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of a check: `ok`, and the `reason` (VERIFIED, or the first failure)."""

    ok: bool
    reason: Reason


_VERIFIED = Verdict(ok=True, reason=Reason.VERIFIED)


def _fail(reason: Reason) -> Verdict:
    return Verdict(ok=False, reason=reason)


def _is_count(value: object) -> TypeGuard[int]:
    # bool is an int subclass; True is no tree size
    return type(value) is int and 0 <= value < MAX_SIZE


def _all_hashes(*values: object) -> bool:
    return all(isinstance(v, bytes) and len(v) == HASH_SIZE for v in values)


def _inclusion_walk(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes | Reason:
    """RFC 9162 §2.1.3.2 steps 2-5 (less the root comparison): the root the proof leads to."""
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return Reason.PROOF_TOO_LONG
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            # A last node with no right sibling is carried up unchanged: skip those levels.
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return Reason.PROOF_TOO_SHORT if sn else r


def check_inclusion(
    leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> Verdict:
    """Whether `proof` proves leaf `index` of the tree of `tree_size` with `root` is `leaf_hash`."""
    if not _is_count(tree_size):
        return _fail(Reason.BAD_SIZE)
    if not _is_count(index):
        return _fail(Reason.BAD_INDEX)
    if not _all_hashes(leaf_hash, root, *proof):
        return _fail(Reason.BAD_HASH)
    if index >= tree_size:
        return _fail(Reason.INDEX_OUT_OF_RANGE)
    computed = _inclusion_walk(leaf_hash, index, tree_size, proof)
    if isinstance(computed, Reason):
        return _fail(computed)
    return _VERIFIED if computed == root else _fail(Reason.ROOT_MISMATCH)


def verify_inclusion(
    leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """True only if `check_inclusion` verifies: the entry is in the log that `root` signs."""
    return check_inclusion(leaf_hash, index, tree_size, proof, root).ok


def _consistency_walk(
    first: int, second: int, first_root: bytes, proof: Sequence[bytes]
) -> tuple[bytes, bytes] | Reason:
    """RFC 9162 §2.1.4.2 steps 2-6 for 0 < first < second: the two roots the proof leads to."""
    # Step 2: when the old tree is a perfect subtree of the new one, its root is the start.
    path = [first_root, *proof] if first & (first - 1) == 0 else list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return Reason.PROOF_TOO_LONG
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return Reason.PROOF_TOO_SHORT if sn else (fr, sr)


def _trivial_consistency(
    first_size: int, second_size: int, first_root: bytes, second_root: bytes, proof_len: int
) -> Verdict:
    """first_size == 0 or first_size == second_size: nothing to prove, so no proof allowed."""
    if proof_len:
        return _fail(Reason.UNEXPECTED_PROOF)
    if first_size == 0 and first_root != EMPTY_ROOT:
        return _fail(Reason.FIRST_ROOT_MISMATCH)
    if first_size == second_size and second_root != first_root:
        return _fail(Reason.SECOND_ROOT_MISMATCH)
    return _VERIFIED


def _bad_consistency_arguments(
    first_size: object, second_size: object, hashes: Sequence[object]
) -> Reason | None:
    if not (_is_count(first_size) and _is_count(second_size)):
        return Reason.BAD_SIZE
    if not _all_hashes(*hashes):
        return Reason.BAD_HASH
    return Reason.SIZES_REVERSED if first_size > second_size else None


def check_consistency(
    first_size: int,
    second_size: int,
    first_root: bytes,
    second_root: bytes,
    proof: Sequence[bytes],
) -> Verdict:
    """Whether `proof` shows the tree (first_size, first_root) is a prefix of (second_size, ...)."""
    problem = _bad_consistency_arguments(first_size, second_size, [first_root, second_root, *proof])
    if problem is not None:
        return _fail(problem)
    if first_size in {0, second_size}:
        return _trivial_consistency(first_size, second_size, first_root, second_root, len(proof))
    if not proof:
        return _fail(Reason.EMPTY_PROOF)  # RFC step 1
    roots = _consistency_walk(first_size, second_size, first_root, proof)
    if isinstance(roots, Reason):
        return _fail(roots)
    if roots[0] != first_root:
        return _fail(Reason.FIRST_ROOT_MISMATCH)
    return _VERIFIED if roots[1] == second_root else _fail(Reason.SECOND_ROOT_MISMATCH)


def verify_consistency(
    first_size: int,
    second_size: int,
    first_root: bytes,
    second_root: bytes,
    proof: Sequence[bytes],
) -> bool:
    """True only if `check_consistency` verifies: the log grew by appending, nothing rewritten."""
    return check_consistency(first_size, second_size, first_root, second_root, proof).ok


class Frontier:
    """The roots of the perfect subtrees that make up a tree of `size` leaves, largest first.

    One hash per set bit of `size` (at most 64), enough to append and to compute the root
    without keeping the leaves: what a sealer stores in a row between runs.
    Bytes form: `size` as 8 bytes big-endian, then the hashes. JSON form:
    `{"size": int, "hashes": [lowercase hex, ...]}`.
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self) -> None:
        self._size = 0
        self._hashes: list[bytes] = []

    @classmethod
    def of(cls, leaf_hashes: Iterable[bytes]) -> Frontier:
        """The frontier of the tree of these leaf hashes."""
        frontier = cls()
        for leaf in leaf_hashes:
            frontier.append(leaf)
        return frontier

    @property
    def size(self) -> int:
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        return tuple(self._hashes)

    def append(self, leaf_hash: bytes) -> None:
        """Add the next leaf: it merges with one subtree per trailing 1 bit of the old size."""
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError("a leaf hash is 32 bytes")
        if self._size + 1 >= MAX_SIZE:
            raise ValueError("the tree is full")
        node, size = leaf_hash, self._size
        while size & 1:
            node = node_hash(self._hashes.pop(), node)
            size >>= 1
        self._hashes.append(node)
        self._size += 1

    def root(self) -> bytes:
        """MTH of the leaves appended so far: the subtrees folded right to left."""
        if not self._hashes:
            return EMPTY_ROOT
        acc = self._hashes[-1]
        for left in reversed(self._hashes[:-1]):
            acc = node_hash(left, acc)
        return acc

    def copy(self) -> Frontier:
        return Frontier._restore(self._size, self._hashes)

    def to_bytes(self) -> bytes:
        return self._size.to_bytes(_SIZE_BYTES, "big") + b"".join(self._hashes)

    @classmethod
    def from_bytes(cls, data: bytes) -> Frontier:
        """The frontier `to_bytes` wrote; ValueError unless the length fits the size exactly."""
        size, body = int.from_bytes(data[:_SIZE_BYTES], "big"), data[_SIZE_BYTES:]
        if len(data) < _SIZE_BYTES or len(body) != HASH_SIZE * size.bit_count():
            raise ValueError("not a frontier: its length does not match its size")
        hashes = [body[i : i + HASH_SIZE] for i in range(0, len(body), HASH_SIZE)]
        return cls._restore(size, hashes)

    def to_json(self) -> dict[str, object]:
        return {"size": self._size, "hashes": [h.hex() for h in self._hashes]}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Frontier:
        """The frontier `to_json` wrote; ValueError on any other shape."""
        size, hashes = data.get("size"), data.get("hashes")
        if set(data) != {"size", "hashes"} or not _is_count(size) or not isinstance(hashes, list):
            raise ValueError("not a frontier: expected {'size': int, 'hashes': [hex, ...]}")
        if not all(isinstance(h, str) and _HEX_HASH.fullmatch(h) for h in hashes):
            raise ValueError("not a frontier: each hash is 64 lowercase hex digits")
        if len(hashes) != size.bit_count():
            raise ValueError("not a frontier: it needs one hash per set bit of its size")
        raw = [bytes.fromhex(str(h)) for h in hashes]
        return cls._restore(size, raw)

    @classmethod
    def _restore(cls, size: int, hashes: Sequence[bytes]) -> Frontier:
        frontier = cls()
        frontier._size, frontier._hashes = size, list(hashes)
        return frontier

    def __repr__(self) -> str:
        return f"Frontier(size={self._size}, root={self.root().hex()})"
