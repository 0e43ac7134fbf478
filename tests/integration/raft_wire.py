"""The peer wire format of kvraft in Python, for tests that forge peer traffic.

Matches server/transport/codec.cc (a batch of raft messages, POST /raft),
server/transport/snapshot_chunk.cc (a piece of a snapshot upload, POST
/raft/snapshot) and server/etcdserver/request.cc (a v2 request inside a log entry). Encoding
only: the tests build what an attacker would send. Standard library only.
"""

# raft::MessageType, in wire order.
APP, APP_RESP, VOTE, VOTE_RESP, PRE_VOTE, PRE_VOTE_RESP, HEARTBEAT, HEARTBEAT_RESP, SNAP, \
    TIMEOUT_NOW, TRANSFER_LEADER, PROP, READ_INDEX, READ_INDEX_RESP = range(14)
TYPE_NAMES = ["MsgApp", "MsgAppResp", "MsgVote", "MsgVoteResp", "MsgPreVote", "MsgPreVoteResp",
              "MsgHeartbeat", "MsgHeartbeatResp", "MsgSnap", "MsgTimeoutNow", "MsgTransferLeader",
              "MsgProp", "MsgReadIndex", "MsgReadIndexResp"]
# Types a follower forwards with term 0 (proposals, reads, transfers).
LOCAL_TYPES = (TRANSFER_LEADER, PROP, READ_INDEX)
ENTRY_NORMAL, ENTRY_CONF_CHANGE = 0, 1
CODEC_VERSION = 1
CHUNK_VERSION = 1
U64_MAX = (1 << 64) - 1


def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7f) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def blob(b):
    if isinstance(b, str):
        b = b.encode()
    return varint(len(b)) + b


def entry(term, index, data=b"", etype=ENTRY_NORMAL):
    return varint(etype) + varint(term) + varint(index) + blob(data)


def message(mtype, frm, to, term=0, log_term=0, index=0, commit=0, reject=False,
            commit_only=False, reject_hint=0, entries=(), snapshot=None, context=b""):
    """One encoded message; entries are encoded entry() strings; snapshot is
    (index, term, voters, data) or None."""
    out = b"".join(varint(v) for v in (mtype, frm, to, term, log_term, index, commit,
                                       (1 if reject else 0) | (2 if commit_only else 0),
                                       reject_hint))
    out += varint(len(entries)) + b"".join(entries)
    s_index, s_term, voters, data = snapshot or (0, 0, (), b"")
    out += varint(s_index) + varint(s_term) + varint(len(voters))
    out += b"".join(varint(v) for v in voters) + blob(data)
    return out + blob(context)


def batch(messages):
    """A POST /raft body from encoded messages."""
    return bytes([CODEC_VERSION]) + varint(len(messages)) + b"".join(messages)


def snapshot_chunk(upload, total, offset, digest, message, data):
    """A POST /raft/snapshot body: message (a batch() of one MsgSnap without
    its data) in the first chunk only; digest is the SHA-256 of all data."""
    return (bytes([CHUNK_VERSION]) + varint(upload) + varint(total) + varint(offset) + blob(digest)
            + blob(message) + data)


def v2_put(request_id, path, value):
    """An encoded v2 PUT as it travels in a log entry (path is the store
    path, "/1/foo" for the user key /foo)."""
    return (varint(1) + varint(request_id) + blob("PUT") + blob(path) + blob(value) + blob(b"")
            + varint(0) + varint(0) + varint(0) + varint(0) + varint(0))
