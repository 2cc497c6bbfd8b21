"""events.integrity.merkle against the published vectors, and the properties of its verifiers.

Every expected hash below is typed in from transparency-dev/merkle (Apache-2.0), never
computed by our code:
- [constants] testonly/constants.go (commit 582a6ad190b6848f1d26f8bf08ddef29955d9db1):
  LeafInputs, NodeHashes, RootHashes, CompactTrees.
- [verify_test] proof/verify_test.go (commit 02194e9afb6c1d95b5381350007963aa70fff472):
  inclusionProofs, consistencyProofs, sha256SomeHash, and the probes of
  corruptInclusionProof / corruptConsistencyProof / TestVerifyConsistency.
- [proof_test] proof/proof_test.go (commit 02a3e2029520f515596d5238c54fb0ac9e19bff4):
  TestInclusion and TestConsistency, whose proofs are node ids (level, index) of the
  NodeHashes table; the cases that need a rehashed node are left out (their hash is not
  published).
"""

from __future__ import annotations

import ast
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.integrity import merkle
from events.integrity.merkle import (
    EMPTY_ROOT,
    Frontier,
    Reason,
    check_consistency,
    check_inclusion,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)


def h(text: str) -> bytes:
    return bytes.fromhex(text)


# [constants] LeafInputs().
LEAF_INPUTS = [
    h(""),
    h("00"),
    h("10"),
    h("2021"),
    h("3031"),
    h("40414243"),
    h("5051525354555657"),
    h("606162636465666768696a6b6c6d6e6f"),
]
# [constants] NodeHashes(): NODES[level][index], level 0 being the leaf hashes.
NODES = [
    [
        h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
        h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
        h("0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"),
        h("07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7"),
        h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        h("4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658"),
        h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
        h("46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"),
    ],
    [
        h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
        h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
        h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
    ],
    [
        h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
    ],
    [h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")],
]
# [constants] RootHashes(), by tree size 0..8 (EmptyRootHash() for 0).
ROOTS = [
    h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    h("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    h("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    h("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]
# [constants] CompactTrees(), by tree size, as node ids (level, index) of NodeHashes.
COMPACT_TREES: list[list[tuple[int, int]]] = [
    [],
    [(0, 0)],
    [(1, 0)],
    [(1, 0), (0, 2)],
    [(2, 0)],
    [(2, 0), (0, 4)],
    [(2, 0), (1, 2)],
    [(2, 0), (1, 2), (0, 6)],
    [(3, 0)],
]
# [verify_test] sha256SomeHash: a 32-byte value that is no node of the tree.
SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456")

LEAVES = [leaf_hash(entry) for entry in LEAF_INPUTS]


def nodes(*ids: tuple[int, int]) -> list[bytes]:
    return [NODES[level][index] for level, index in ids]


# --- the published vectors ---------------------------------------------------------------


def test_the_leaf_hashes_are_the_published_ones() -> None:
    hashed = [leaf_hash(entry) for entry in LEAF_INPUTS]
    assert hashed == NODES[0]


def test_the_empty_tree_root_is_sha256_of_nothing() -> None:
    assert root([]) == EMPTY_ROOT == ROOTS[0] == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("size", range(9))
def test_the_root_of_each_prefix_is_the_published_one(size: int) -> None:
    assert root(LEAVES[:size]) == ROOTS[size]
    assert Frontier.of(LEAVES[:size]).root() == ROOTS[size]


@pytest.mark.parametrize("size", range(9))
def test_the_frontier_holds_the_published_compact_range(size: int) -> None:
    assert list(Frontier.of(LEAVES[:size]).hashes) == nodes(*COMPACT_TREES[size])


def test_the_interior_nodes_are_the_published_ones() -> None:
    for level in range(1, 4):
        for index, expected in enumerate(NODES[level]):
            width = 1 << level
            assert root(LEAVES[index * width : (index + 1) * width]) == expected


# [verify_test] inclusionProofs as (0-based index, size, proof); the Go table counts leaves
# from 1 ({1, 8, ...} is leaf 0).
INCLUSION_VECTORS = [
    (0, 1, []),
    (
        0,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        5,
        8,
        [
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (2, 3, [h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (
        1,
        5,
        [
            h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
]
# [proof_test] TestInclusion, the cases within 8 leaves with no rehashed node.
INCLUSION_NODE_VECTORS = [
    (0, 2, nodes((0, 1))),
    (1, 2, nodes((0, 0))),
    (1, 3, nodes((0, 0), (0, 2))),
    (4, 7, nodes((0, 5), (0, 6), (2, 0))),
    (5, 7, nodes((0, 4), (0, 6), (2, 0))),
    (6, 7, nodes((1, 2), (2, 0))),
    (2, 4, nodes((0, 3), (1, 0))),
    (3, 5, nodes((0, 2), (1, 0), (0, 4))),
    (3, 6, nodes((0, 2), (1, 0), (1, 2))),
    (4, 6, nodes((0, 5), (2, 0))),
]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_VECTORS + INCLUSION_NODE_VECTORS)
def test_inclusion_proofs_are_the_published_ones_and_verify(
    index: int, size: int, proof: list[bytes]
) -> None:
    assert inclusion_proof(LEAVES[:size], index) == proof
    assert verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size])


def inclusion_probes(
    index: int, size: int, proof: list[bytes]
) -> list[tuple[str, bytes, int, int, list[bytes], bytes]]:
    """[verify_test] corruptInclusionProof: (what, leaf, index, size, proof, root)."""
    leaf, good_root = LEAVES[index], ROOTS[size]
    probes = [
        ("index - 1", leaf, index - 1, size, proof, good_root),
        ("index + 1", leaf, index + 1, size, proof, good_root),
        ("index ^ 2", leaf, index ^ 2, size, proof, good_root),
        ("size * 2", leaf, index, size * 2, proof, good_root),
        ("size // 2", leaf, index, size // 2, proof, good_root),
        ("wrong leaf", b"WrongLeaf", index, size, proof, good_root),
        ("empty root", leaf, index, size, proof, EMPTY_ROOT),
        ("random root", leaf, index, size, proof, SOME_HASH),
        ("trailing garbage", leaf, index, size, [*proof, b""], good_root),
        ("trailing root", leaf, index, size, [*proof, good_root], good_root),
        ("preceding garbage", leaf, index, size, [b"", *proof], good_root),
        ("preceding root", leaf, index, size, [good_root, *proof], good_root),
    ]
    for i in range(len(proof)):
        flipped = [*proof]
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        probes.append((f"proof[{i}] bit 3 flipped", leaf, index, size, flipped, good_root))
    if proof:
        probes.append(("removed component", leaf, index, size, proof[:-1], good_root))
    if len(proof) > 1:
        inserted = [proof[0], SOME_HASH, *proof[1:]]
        probes.append(("inserted component", leaf, index, size, inserted, good_root))
    return probes


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_VECTORS[1:])
def test_corrupted_published_inclusion_proofs_are_refused(
    index: int, size: int, proof: list[bytes]
) -> None:
    accepted = [
        what
        for what, leaf, i, n, p, r in inclusion_probes(index, size, proof)
        if verify_inclusion(leaf, i, n, p, r)
    ]
    assert accepted == []


# [verify_test] consistencyProofs as (size1, size2, proof).
CONSISTENCY_VECTORS = [
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (
        2,
        5,
        [
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
    (
        6,
        7,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
]
# [proof_test] TestConsistency, the cases within 8 leaves with no rehashed node.
CONSISTENCY_NODE_VECTORS = [
    (1, 2, nodes((0, 1))),
    (1, 4, nodes((0, 1), (1, 1))),
    (1, 6, nodes((0, 1), (1, 1), (1, 2))),
    (2, 3, nodes((0, 2))),
    (2, 8, nodes((1, 1), (2, 1))),
    (5, 7, nodes((0, 4), (0, 5), (0, 6), (2, 0))),
    (6, 7, nodes((1, 2), (0, 6), (2, 0))),
    (7, 8, nodes((0, 6), (0, 7), (1, 2), (2, 0))),
    (2, 4, nodes((1, 1))),
    (3, 5, nodes((0, 2), (0, 3), (1, 0), (0, 4))),
    (3, 6, nodes((0, 2), (0, 3), (1, 0), (1, 2))),
    (4, 6, nodes((1, 2))),
    *((n, n, []) for n in (1, 2, 3, 4, 5, 7, 8)),
]


@pytest.mark.parametrize(
    ("size1", "size2", "proof"), CONSISTENCY_VECTORS + CONSISTENCY_NODE_VECTORS
)
def test_consistency_proofs_are_the_published_ones_and_verify(
    size1: int, size2: int, proof: list[bytes]
) -> None:
    assert consistency_proof(LEAVES[:size2], size1) == proof
    assert verify_consistency(size1, size2, ROOTS[size1], ROOTS[size2], proof)


def consistency_probes(
    size1: int, size2: int, proof: list[bytes]
) -> list[tuple[str, int, int, bytes, bytes, list[bytes]]]:
    """[verify_test] corruptConsistencyProof: (what, size1, size2, root1, root2, proof)."""
    root1, root2 = ROOTS[size1], ROOTS[size2]
    probes = [
        ("size1 - 1", size1 - 1, size2, root1, root2, proof),
        ("size1 + 1", size1 + 1, size2, root1, root2, proof),
        ("size1 ^ 2", size1 ^ 2, size2, root1, root2, proof),
        ("size2 * 2", size1, size2 * 2, root1, root2, proof),
        ("size2 // 2", size1, size2 // 2, root1, root2, proof),
        ("wrong root1", size1, size2, b"WrongRoot", root2, proof),
        ("wrong root2", size1, size2, root1, b"WrongRoot", proof),
        ("swapped roots", size1, size2, root2, root1, proof),
        ("empty proof", size1, size2, root1, root2, []),
        ("trailing garbage", size1, size2, root1, root2, [*proof, b""]),
        ("trailing root1", size1, size2, root1, root2, [*proof, root1]),
        ("trailing root2", size1, size2, root1, root2, [*proof, root2]),
        ("preceding garbage", size1, size2, root1, root2, [b"", *proof]),
        ("preceding root1", size1, size2, root1, root2, [root1, *proof]),
        ("preceding root2", size1, size2, root1, root2, [root2, *proof]),
        ("preceding proof[0]", size1, size2, root1, root2, [proof[0], *proof]),
        ("truncated proof", size1, size2, root1, root2, proof[:-1]),
    ]
    for i in range(len(proof)):
        flipped = [*proof]
        flipped[i] = bytes([flipped[i][0] ^ 16]) + flipped[i][1:]
        probes.append((f"proof[{i}] bit 4 flipped", size1, size2, root1, root2, flipped))
    return probes


@pytest.mark.parametrize(("size1", "size2", "proof"), CONSISTENCY_VECTORS[1:])
def test_corrupted_published_consistency_proofs_are_refused(
    size1: int, size2: int, proof: list[bytes]
) -> None:
    accepted = [
        what
        for what, n1, n2, r1, r2, p in consistency_probes(size1, size2, proof)
        if verify_consistency(n1, n2, r1, r2, p)
    ]
    assert accepted == []


# --- the edges, and what we decided about them ----------------------------------------------

ROOT1, ROOT2 = hashlib.sha256(b"don't care 1").digest(), hashlib.sha256(b"don't care 2").digest()


@pytest.mark.parametrize(
    ("size1", "size2", "root1", "root2", "proof", "reason"),
    [
        # [verify_test] TestVerifyConsistency, with 32-byte stand-ins for its short roots.
        (0, 0, ROOT1, ROOT2, [], Reason.FIRST_ROOT_MISMATCH),
        (1, 1, ROOT1, ROOT2, [], Reason.SECOND_ROOT_MISMATCH),
        (1, 1, ROOT2, ROOT2, [], Reason.VERIFIED),
        (1, 0, ROOT1, ROOT2, [], Reason.SIZES_REVERSED),
        (2, 1, ROOT1, ROOT2, [], Reason.SIZES_REVERSED),
        (1, 2, ROOT1, ROOT2, [], Reason.EMPTY_PROOF),
        (1, 1, EMPTY_ROOT, ROOT2, [], Reason.SECOND_ROOT_MISMATCH),
        (0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], Reason.UNEXPECTED_PROOF),
        (0, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], Reason.UNEXPECTED_PROOF),
        (1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], Reason.UNEXPECTED_PROOF),
        # Go accepts (0, 0, root1, root1) and (0, 1, root1, root2) whatever root1 is; we
        # accept a first size of 0 only with the empty tree's root, the one root it has.
        (0, 0, ROOT1, ROOT1, [], Reason.FIRST_ROOT_MISMATCH),
        (0, 1, ROOT1, ROOT2, [], Reason.FIRST_ROOT_MISMATCH),
        (0, 0, EMPTY_ROOT, EMPTY_ROOT, [], Reason.VERIFIED),
        (0, 1, EMPTY_ROOT, ROOT2, [], Reason.VERIFIED),
        (0, 8, EMPTY_ROOT, ROOTS[8], [], Reason.VERIFIED),
        (0, 8, EMPTY_ROOT, ROOTS[8], [ROOTS[8]], Reason.UNEXPECTED_PROOF),
        (8, 8, ROOTS[8], ROOTS[8], [ROOTS[8]], Reason.UNEXPECTED_PROOF),
    ],
)
def test_consistency_edges(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: list[bytes], reason: Reason
) -> None:
    assert check_consistency(size1, size2, root1, root2, proof).reason == reason


@pytest.mark.parametrize(
    ("index", "size", "reason"),
    [
        # [verify_test] TestVerifyInclusion's probes: nothing is in an empty tree, and an
        # index must be below the size.
        (0, 0, Reason.INDEX_OUT_OF_RANGE),
        (1, 0, Reason.INDEX_OUT_OF_RANGE),
        (2, 1, Reason.INDEX_OUT_OF_RANGE),
        (8, 8, Reason.INDEX_OUT_OF_RANGE),
        (-1, 8, Reason.BAD_INDEX),
        (0, -1, Reason.BAD_SIZE),
        (0, 2**64, Reason.BAD_SIZE),
        (True, 8, Reason.BAD_INDEX),
        (0, True, Reason.BAD_SIZE),
    ],
)
def test_inclusion_refuses_indices_outside_the_tree(index: int, size: int, reason: Reason) -> None:
    assert check_inclusion(LEAVES[0], index, size, [], ROOTS[1]).reason == reason


def test_hashes_of_the_wrong_length_are_refused_not_raised() -> None:
    # [verify_test] TestVerifyInclusionSingleEntry: an empty hash as leaf or root.
    assert check_inclusion(b"", 0, 1, [], ROOTS[1]).reason == Reason.BAD_HASH
    assert check_inclusion(LEAVES[0], 0, 1, [], b"").reason == Reason.BAD_HASH
    assert check_inclusion(LEAVES[0], 0, 2, [LEAVES[1][:31]], ROOTS[2]).reason == Reason.BAD_HASH
    assert check_consistency(1, 2, ROOTS[1], ROOTS[2], [bytearray(LEAVES[1])]).reason == (  # type: ignore[list-item]
        Reason.BAD_HASH
    )
    assert check_consistency(1, 2, ROOTS[1], ROOTS[2][:31], [LEAVES[1]]).reason == Reason.BAD_HASH
    assert check_consistency(-1, 2, ROOTS[1], ROOTS[2], []).reason == Reason.BAD_SIZE
    assert check_consistency(1, 2**64, ROOTS[1], ROOTS[2], []).reason == Reason.BAD_SIZE


def test_the_generators_refuse_what_has_no_proof() -> None:
    with pytest.raises(ValueError, match="no leaf 8 in a tree of 8"):
        inclusion_proof(LEAVES, 8)
    with pytest.raises(ValueError, match="no prefix of 9 leaves in a tree of 8"):
        consistency_proof(LEAVES, 9)
    with pytest.raises(ValueError, match="32-byte leaf hash"):
        root([b"not a hash"])
    assert consistency_proof(LEAVES, 0) == consistency_proof(LEAVES, 8) == []


def test_an_interior_node_cannot_pass_as_a_leaf() -> None:
    """The second-preimage forgery: node (leaves 0-1) shown "at index 0" with the rest of
    leaf 0's path. The hashes do climb to the true root, but two levels remain unconsumed."""
    forged = [NODES[1][1], NODES[2][1]]
    assert node_hash(node_hash(NODES[1][0], forged[0]), forged[1]) == ROOTS[8]
    assert check_inclusion(NODES[1][0], 0, 8, forged, ROOTS[8]).reason == Reason.PROOF_TOO_SHORT


def test_the_second_size_must_be_used_up() -> None:
    """Haskell hash-tree 0.1.1's bug: without the final "sn is 0" test, the honest proof
    from 4 to 8 also "proves" that 8's root is the root of a tree of 16."""
    proof = consistency_proof(LEAVES, 4)
    assert check_consistency(4, 8, ROOTS[4], ROOTS[8], proof).ok
    assert check_consistency(4, 16, ROOTS[4], ROOTS[8], proof).reason == Reason.PROOF_TOO_SHORT


def test_every_proof_element_must_be_consumed() -> None:
    """GO-2022-1117's class: a proof with a part the verifier never binds to the trusted
    sizes. Here a spare element after an honest proof: it must fail, not be ignored."""
    proof = inclusion_proof(LEAVES, 5)
    assert check_inclusion(LEAVES[5], 5, 8, [*proof, ROOTS[8]], ROOTS[8]).reason == (
        Reason.PROOF_TOO_LONG
    )
    proof = consistency_proof(LEAVES, 6)
    assert check_consistency(6, 8, ROOTS[6], ROOTS[8], [*proof, SOME_HASH]).reason == (
        Reason.PROOF_TOO_LONG
    )


def test_a_proof_says_nothing_of_a_size_the_checkpoint_did_not_sign() -> None:
    """What the verifiers cannot do: a tree size only shapes the path. The proof of leaf 0 in
    the tree of 3 also verifies for "a tree of 4 with the root of 3", and the proof from 2 to
    3 also for "from 2 to a tree of 4 with the root of 3": the same hashes climb the same
    way. No log signs such a pair, so the size and root must come from one verified
    checkpoint; with the true root of 4 each proof fails."""
    assert verify_inclusion(LEAVES[0], 0, 4, inclusion_proof(LEAVES[:3], 0), ROOTS[3])
    assert not verify_inclusion(LEAVES[0], 0, 4, inclusion_proof(LEAVES[:3], 0), ROOTS[4])
    assert verify_consistency(2, 4, ROOTS[2], ROOTS[3], consistency_proof(LEAVES[:3], 2))
    assert not verify_consistency(2, 4, ROOTS[2], ROOTS[4], consistency_proof(LEAVES[:3], 2))


def test_the_integrity_core_imports_only_the_standard_library_and_cryptography() -> None:
    """What import-linter's `integrity-core` contract cannot see: a sibling of events that
    itself imports only the standard library."""
    imported: set[str] = set()
    for path in Path(merkle.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module)
    allowed = {*sys.stdlib_module_names, "cryptography"}
    outside = [
        name
        for name in sorted(imported)
        if name.split(".")[0] not in allowed and not name.startswith("events.integrity")
    ]
    assert outside == []
    assert "cryptography.hazmat.primitives.asymmetric.ed25519" in imported, "the scan sees imports"


# --- the frontier ---------------------------------------------------------------------------


def test_a_frontier_round_trips_through_bytes_and_json_and_copies_apart() -> None:
    frontier = Frontier.of(LEAVES[:7])
    for restored in (
        Frontier.from_bytes(frontier.to_bytes()),
        Frontier.from_json(frontier.to_json()),
    ):
        assert (restored.size, restored.hashes, restored.root()) == (7, frontier.hashes, ROOTS[7])
    copy = frontier.copy()
    copy.append(LEAVES[7])
    assert (frontier.size, frontier.root(), copy.size, copy.root()) == (7, ROOTS[7], 8, ROOTS[8])
    assert frontier.to_bytes()[:8] == (7).to_bytes(8, "big")
    assert len(frontier.to_bytes()) == 8 + 3 * 32


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00" * 7, (1).to_bytes(8, "big"), (2).to_bytes(8, "big") + b"\x00" * 64],
)
def test_a_frontier_of_the_wrong_length_is_refused(data: bytes) -> None:
    with pytest.raises(ValueError, match="length does not match its size"):
        Frontier.from_bytes(data)


@pytest.mark.parametrize(
    "data",
    [
        {"size": 1},
        {"size": 1, "hashes": [NODES[0][0].hex()], "extra": 1},
        {"size": -1, "hashes": []},
        {"size": True, "hashes": [NODES[0][0].hex()]},
        {"size": 1, "hashes": NODES[0][0].hex()},
        {"size": 1, "hashes": [NODES[0][0].hex().upper()]},
        {"size": 1, "hashes": ["zz" * 32]},
        {"size": 3, "hashes": [NODES[1][0].hex()]},
    ],
)
def test_a_frontier_of_the_wrong_shape_is_refused(data: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="frontier"):
        Frontier.from_json(data)


def test_a_frontier_takes_only_leaf_hashes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Frontier().append(b"entry")


# --- properties -----------------------------------------------------------------------------

MAX_LEAVES = 300
# Distinct leaves, so that no two indices share a leaf hash.
MANY = [leaf_hash(i.to_bytes(4, "big")) for i in range(MAX_LEAVES + 1)]
hashes32 = st.binary(min_size=32, max_size=32)


def flip(proof: Sequence[bytes], position: int, bit: int) -> list[bytes]:
    flipped = list(proof)
    element = bytearray(flipped[position])
    element[bit // 8] ^= 1 << (bit % 8)
    flipped[position] = bytes(element)
    return flipped


@settings(deadline=None)
@given(st.integers(0, MAX_LEAVES))
def test_the_frontier_root_is_the_recursive_root(size: int) -> None:
    frontier = Frontier()
    for leaf in MANY[:size]:
        frontier.append(leaf)
    assert frontier.size == size
    assert len(frontier.hashes) == size.bit_count()
    assert frontier.root() == root(MANY[:size])
    assert Frontier.from_bytes(frontier.to_bytes()).root() == frontier.root()


@settings(deadline=None)
@given(st.data())
def test_honest_inclusion_proofs_verify_and_every_mutation_is_refused(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, MAX_LEAVES), "size")
    index = data.draw(st.integers(0, size - 1), "index")
    leaves, tree_root = MANY[:size], root(MANY[:size])
    proof = inclusion_proof(leaves, index)
    assert verify_inclusion(leaves[index], index, size, proof, tree_root)

    other_index = data.draw(st.integers(0, size - 1).filter(lambda i: i != index), "other")
    assert not verify_inclusion(leaves[index], other_index, size, proof, tree_root)
    other_size = data.draw(st.integers(index + 1, MAX_LEAVES), "other size")
    if other_size != size:
        assert not verify_inclusion(
            leaves[index], index, other_size, proof, root(MANY[:other_size])
        )
    wrong_root = data.draw(hashes32.filter(lambda r: r != tree_root), "root")
    assert not verify_inclusion(leaves[index], index, size, proof, wrong_root)
    extra = data.draw(hashes32, "extra")
    assert not verify_inclusion(leaves[index], index, size, [*proof, extra], tree_root)
    if proof:
        position = data.draw(st.integers(0, len(proof) - 1), "position")
        bit = data.draw(st.integers(0, 255), "bit")
        assert not verify_inclusion(
            leaves[index], index, size, flip(proof, position, bit), tree_root
        )
        assert not verify_inclusion(leaves[index], index, size, proof[:-1], tree_root)


@settings(deadline=None)
@given(st.data())
def test_honest_consistency_proofs_verify_and_every_mutation_is_refused(
    data: st.DataObject,
) -> None:
    size2 = data.draw(st.integers(0, MAX_LEAVES), "size2")
    size1 = data.draw(st.integers(0, size2), "size1")
    root1, root2 = root(MANY[:size1]), root(MANY[:size2])
    proof = consistency_proof(MANY[:size2], size1)
    assert verify_consistency(size1, size2, root1, root2, proof)

    wrong_root = data.draw(hashes32.filter(lambda r: r not in {root1, root2}), "root")
    assert not verify_consistency(size1, size2, wrong_root, root2, proof)
    if size1 > 0 or size2 == 0:  # every tree extends the empty one, whatever its root
        assert not verify_consistency(size1, size2, root1, wrong_root, proof)
    extra = data.draw(hashes32, "extra")
    assert not verify_consistency(size1, size2, root1, root2, [*proof, extra])
    # Other sizes, each with its true root; (0 or n, n) and (n, n) share the empty proof.
    other1 = data.draw(st.integers(1, MAX_LEAVES), "other size1")
    if other1 not in {size1, size2}:
        assert not verify_consistency(other1, size2, root(MANY[:other1]), root2, proof)
    other2 = data.draw(st.integers(0, MAX_LEAVES), "other size2")
    if size1 > 0 and other2 != size2:
        assert not verify_consistency(size1, other2, root1, root(MANY[:other2]), proof)
    if proof:
        position = data.draw(st.integers(0, len(proof) - 1), "position")
        bit = data.draw(st.integers(0, 255), "bit")
        assert not verify_consistency(size1, size2, root1, root2, flip(proof, position, bit))
        assert not verify_consistency(size1, size2, root1, root2, proof[:-1])


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_tree_built_once_gives_every_proof_of_the_recursive_definition(
    data: st.DataObject,
) -> None:
    size = data.draw(st.integers(1, MAX_LEAVES), "size")
    tree = merkle.MerkleTree(MANY[:size])
    assert tree.root() == root(MANY[:size])
    for index in range(size):
        assert tree.inclusion_proof(index) == inclusion_proof(MANY[:size], index), index
