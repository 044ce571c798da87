//! Test vectors for the frames of `/baraza/sync/1` (`docs/PROTOCOL.md`,
//! §13 "Sync frames"), checked against `baraza_protocol::sync::wire`.
//!
//! `tests/vectors/sync/frames.json` lists frames as hex (the bytes after the
//! 4-byte length prefix). Each `valid` entry names its direction and its
//! decoded form (`frame`); each `invalid` entry the error the reference
//! decoder reports. The vectors are generated here; the tests check that the
//! file equals what the code generates today and, independently, that every
//! valid frame decodes to its `frame` and re-encodes to the same bytes and
//! that every invalid frame fails with its error. Regenerate after a
//! deliberate format change with
//! `BARAZA_UPDATE_VECTORS=1 cargo test -p baraza-protocol --test sync_wire_vectors`.

use std::fs;
use std::path::{Path, PathBuf};

use baraza_protocol::limits::{MAX_FETCH_IDS, MAX_OBJECT_BYTES};
use baraza_protocol::sync::wire::{
    RefusalCode, SyncRequest, SyncResponse, WireError, MAX_NETWORK_ID_BYTES, MAX_REFUSAL_BYTES,
};
use baraza_protocol::sync::{Bound, Fingerprint, Mode, SyncKey, SyncMessage, SyncRange};
use baraza_protocol::ObjectId;
use serde_json::{json, Value};

const NETWORK: &str = "baraza-main";

fn vectors_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/sync/frames.json")
}

/// The example message of §13 "Message encoding" (63 bytes).
fn example_message() -> SyncMessage {
    let mut ab = [0u8; 32];
    ab[0] = 0xab;
    SyncMessage {
        ranges: vec![
            SyncRange {
                upper: Bound::Key(SyncKey::new(1_700_000_000_000, ObjectId([0; 32]))),
                mode: Mode::Skip,
            },
            SyncRange {
                upper: Bound::Key(SyncKey::new(1_700_000_000_005, ObjectId(ab))),
                mode: Mode::Fingerprint(Fingerprint([7; 16])),
            },
            SyncRange {
                upper: Bound::Infinity,
                mode: Mode::Difference {
                    sender_only: vec![ObjectId([1; 32])],
                    receiver_only: vec![],
                },
            },
        ],
    }
}

enum Frame {
    Request(SyncRequest),
    Response(SyncResponse),
}

impl Frame {
    fn direction(&self) -> &'static str {
        match self {
            Frame::Request(_) => "request",
            Frame::Response(_) => "response",
        }
    }

    fn encode(&self) -> Vec<u8> {
        match self {
            Frame::Request(r) => r.encode(),
            Frame::Response(r) => r.encode(),
        }
    }
}

fn code_byte(code: RefusalCode) -> u8 {
    match code {
        RefusalCode::WrongNetwork => 1,
        RefusalCode::Busy => 2,
        RefusalCode::Malformed => 3,
    }
}

fn ids_json(ids: &[ObjectId]) -> Value {
    ids.iter().map(|id| hex::encode(id.0)).collect()
}

/// The decoded form written beside a valid frame.
fn frame_json(frame: &Frame) -> Value {
    match frame {
        Frame::Request(SyncRequest::Reconcile { network, message }) => {
            json!({"type": "reconcile", "network": network, "message": hex::encode(message.encode())})
        }
        Frame::Request(SyncRequest::Fetch { network, ids }) => {
            json!({"type": "fetch", "network": network, "ids": ids_json(ids)})
        }
        Frame::Response(SyncResponse::Reconcile(message)) => {
            json!({"type": "reconcile", "message": hex::encode(message.encode())})
        }
        Frame::Response(SyncResponse::Done) => json!({"type": "done"}),
        Frame::Response(SyncResponse::Objects { objects, truncated }) => json!({
            "type": "objects",
            "truncated": truncated,
            "objects": objects.iter().map(hex::encode).collect::<Vec<_>>(),
        }),
        Frame::Response(SyncResponse::Refused { code, reason }) => {
            json!({"type": "refused", "code": code_byte(*code), "reason": reason})
        }
    }
}

fn hex_field(v: &Value, field: &str) -> Vec<u8> {
    hex::decode(
        v[field]
            .as_str()
            .unwrap_or_else(|| panic!("{field} is a string")),
    )
    .unwrap_or_else(|e| panic!("{field}: {e}"))
}

fn id_list(v: &Value) -> Vec<ObjectId> {
    v["ids"]
        .as_array()
        .expect("ids")
        .iter()
        .map(|id| {
            let bytes = hex::decode(id.as_str().expect("id")).expect("hex id");
            ObjectId(bytes.try_into().expect("32-byte id"))
        })
        .collect()
}

fn message_field(v: &Value) -> SyncMessage {
    SyncMessage::decode(&hex_field(v, "message")).expect("message decodes")
}

/// Builds the expected frame from its JSON form, independently of the
/// frame decoder.
fn frame_from_json(direction: &str, v: &Value) -> Frame {
    let network = || v["network"].as_str().expect("network").to_owned();
    match (direction, v["type"].as_str().expect("type")) {
        ("request", "reconcile") => Frame::Request(SyncRequest::Reconcile {
            network: network(),
            message: message_field(v),
        }),
        ("request", "fetch") => Frame::Request(SyncRequest::Fetch {
            network: network(),
            ids: id_list(v),
        }),
        ("response", "reconcile") => Frame::Response(SyncResponse::Reconcile(message_field(v))),
        ("response", "done") => Frame::Response(SyncResponse::Done),
        ("response", "objects") => Frame::Response(SyncResponse::Objects {
            truncated: v["truncated"].as_bool().expect("truncated"),
            objects: v["objects"]
                .as_array()
                .expect("objects")
                .iter()
                .map(|o| hex::decode(o.as_str().expect("object")).expect("hex object"))
                .collect(),
        }),
        ("response", "refused") => Frame::Response(SyncResponse::Refused {
            code: match v["code"].as_u64() {
                Some(1) => RefusalCode::WrongNetwork,
                Some(2) => RefusalCode::Busy,
                Some(3) => RefusalCode::Malformed,
                other => panic!("refusal code {other:?}"),
            },
            reason: v["reason"].as_str().expect("reason").to_owned(),
        }),
        other => panic!("unknown frame {other:?}"),
    }
}

/// The vector name of a decoding error (stable, snake_case).
fn error_code(e: &WireError) -> &'static str {
    match e {
        WireError::TooLarge(_) => "too_large",
        WireError::UnknownType(_) => "unknown_type",
        WireError::Truncated(_) => "truncated",
        WireError::Trailing(_) => "trailing",
        WireError::BadText(_) => "bad_text",
        WireError::FetchCount(_) => "fetch_count",
        WireError::ObjectCount(_) => "object_count",
        WireError::ObjectTooLarge(_) => "object_too_large",
        WireError::BadValue(_) => "bad_value",
        WireError::Message(_) => "message",
        _ => "unknown",
    }
}

fn decode(direction: &str, bytes: &[u8]) -> Result<Frame, WireError> {
    match direction {
        "request" => SyncRequest::decode(bytes).map(Frame::Request),
        "response" => SyncResponse::decode(bytes).map(Frame::Response),
        other => panic!("unknown direction {other}"),
    }
}

fn varint(mut value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

fn text(s: &[u8]) -> Vec<u8> {
    [varint(s.len() as u64).as_slice(), s].concat()
}

/// A request header: type byte, then the network id.
fn head(kind: u8) -> Vec<u8> {
    [&[kind][..], &text(NETWORK.as_bytes())].concat()
}

fn valid_frames() -> Vec<(&'static str, &'static str, Frame)> {
    // An object-like blob of 200 bytes: its length needs a 2-byte varint.
    let long_object: Vec<u8> = (0..200u32).map(|i| (i * 7 % 256) as u8).collect();
    vec![
        (
            "request-reconcile",
            "Reconcile request carrying the example message of §13 \"Message encoding\"",
            Frame::Request(SyncRequest::Reconcile {
                network: NETWORK.into(),
                message: example_message(),
            }),
        ),
        (
            "request-fetch-one",
            "Fetch of one id",
            Frame::Request(SyncRequest::Fetch {
                network: NETWORK.into(),
                ids: vec![ObjectId([0xab; 32])],
            }),
        ),
        (
            "request-fetch-two",
            "Fetch of two ids (the worked example of §13 \"Sync frames\")",
            Frame::Request(SyncRequest::Fetch {
                network: NETWORK.into(),
                ids: vec![ObjectId([1; 32]), ObjectId([2; 32])],
            }),
        ),
        (
            "request-fetch-longest-network",
            "Fetch naming a network id of the longest length, 64 bytes",
            Frame::Request(SyncRequest::Fetch {
                network: "n".repeat(MAX_NETWORK_ID_BYTES),
                ids: vec![ObjectId([3; 32])],
            }),
        ),
        (
            "response-reconcile",
            "Reconcile response carrying the example message of §13",
            Frame::Response(SyncResponse::Reconcile(example_message())),
        ),
        (
            "response-reconcile-empty",
            "Reconcile response with a message of no ranges (decodes; a reconciler sends Done instead)",
            Frame::Response(SyncResponse::Reconcile(SyncMessage::default())),
        ),
        (
            "response-done",
            "Done",
            Frame::Response(SyncResponse::Done),
        ),
        (
            "response-objects",
            "Objects: two complete, not truncated (the frame layer does not look inside objects)",
            Frame::Response(SyncResponse::Objects {
                objects: vec![vec![0xd2, 0x84, 0x58, 0x48], long_object.clone()],
                truncated: false,
            }),
        ),
        (
            "response-objects-truncated",
            "Objects: the frame filled up after one object; ask for the ids after it again",
            Frame::Response(SyncResponse::Objects {
                objects: vec![long_object],
                truncated: true,
            }),
        ),
        (
            "response-objects-none",
            "Objects: the responder holds none of the ids asked for",
            Frame::Response(SyncResponse::Objects {
                objects: vec![],
                truncated: false,
            }),
        ),
        (
            "response-refused-wrong-network",
            "Refused, code 1 (wrong network)",
            Frame::Response(SyncResponse::Refused {
                code: RefusalCode::WrongNetwork,
                reason: "this node is on network baraza-main".into(),
            }),
        ),
        (
            "response-refused-busy",
            "Refused, code 2 (busy), empty reason",
            Frame::Response(SyncResponse::Refused {
                code: RefusalCode::Busy,
                reason: String::new(),
            }),
        ),
        (
            "response-refused-malformed",
            "Refused, code 3 (malformed), a reason with multi-byte UTF-8",
            Frame::Response(SyncResponse::Refused {
                code: RefusalCode::Malformed,
                reason: "range 2 does not end above the range before it — ранее".into(),
            }),
        ),
    ]
}

fn invalid_frames() -> Vec<(&'static str, &'static str, &'static str, Vec<u8>)> {
    let id = [0x11u8; 32];
    vec![
        ("request-empty", "request", "an empty frame", vec![]),
        (
            "request-unknown-type",
            "request",
            "request type 0x03",
            vec![0x03],
        ),
        (
            "request-reconcile-no-network",
            "request",
            "a Reconcile request that ends before the network id",
            vec![0x01],
        ),
        (
            "request-reconcile-bad-message",
            "request",
            "a Reconcile request whose message has an unknown range header",
            [head(0x01), vec![0xff]].concat(),
        ),
        (
            "request-network-too-long",
            "request",
            "a network id of 65 bytes",
            [
                vec![0x02],
                text(&[b'n'; MAX_NETWORK_ID_BYTES + 1]),
                vec![0x01],
                id.to_vec(),
            ]
            .concat(),
        ),
        (
            "request-network-not-utf8",
            "request",
            "a network id that is not UTF-8",
            [vec![0x02], text(&[0xff, 0xfe]), vec![0x01], id.to_vec()].concat(),
        ),
        (
            "request-network-nonminimal-length",
            "request",
            "a network id length written as a non-minimal varint (8b 00 for 11)",
            [
                vec![0x02, 0x8b, 0x00],
                NETWORK.as_bytes().to_vec(),
                vec![0x01],
                id.to_vec(),
            ]
            .concat(),
        ),
        (
            "request-fetch-no-ids",
            "request",
            "a Fetch of 0 ids",
            [head(0x02), vec![0x00]].concat(),
        ),
        (
            "request-fetch-too-many-ids",
            "request",
            "a Fetch announcing MAX_FETCH_IDS + 1 ids (rejected before reading them)",
            [head(0x02), varint(MAX_FETCH_IDS as u64 + 1)].concat(),
        ),
        (
            "request-fetch-missing-id",
            "request",
            "a Fetch announcing 2 ids and carrying 1",
            [head(0x02), vec![0x02], id.to_vec()].concat(),
        ),
        (
            "request-fetch-trailing",
            "request",
            "a Fetch of 1 id followed by one more byte",
            [head(0x02), vec![0x01], id.to_vec(), vec![0x00]].concat(),
        ),
        ("response-empty", "response", "an empty frame", vec![]),
        (
            "response-unknown-type",
            "response",
            "response type 0x05",
            vec![0x05],
        ),
        (
            "response-reconcile-bad-message",
            "response",
            "a Reconcile response whose message is a truncated Fingerprint range",
            vec![0x01, 0x05, 0x07],
        ),
        (
            "response-done-trailing",
            "response",
            "Done followed by one byte",
            vec![0x02, 0x00],
        ),
        (
            "response-objects-bad-flag",
            "response",
            "Objects with truncated flag 2",
            vec![0x03, 0x02, 0x00],
        ),
        (
            "response-objects-no-count",
            "response",
            "Objects that ends after the flag",
            vec![0x03, 0x00],
        ),
        (
            "response-objects-too-many",
            "response",
            "Objects announcing MAX_FETCH_IDS + 1 objects",
            [vec![0x03, 0x00], varint(MAX_FETCH_IDS as u64 + 1)].concat(),
        ),
        (
            "response-objects-object-too-large",
            "response",
            "an object length of MAX_OBJECT_BYTES + 1 (rejected before reading it)",
            [vec![0x03, 0x00, 0x01], varint(MAX_OBJECT_BYTES as u64 + 1)].concat(),
        ),
        (
            "response-objects-short-object",
            "response",
            "an object announced as 5 bytes, with 2",
            vec![0x03, 0x00, 0x01, 0x05, 0xd2, 0x84],
        ),
        (
            "response-objects-trailing",
            "response",
            "Objects of 0 objects followed by one byte",
            vec![0x03, 0x00, 0x00, 0x00],
        ),
        (
            "response-refused-code-0",
            "response",
            "Refused with code 0",
            vec![0x04, 0x00, 0x00],
        ),
        (
            "response-refused-code-4",
            "response",
            "Refused with code 4",
            vec![0x04, 0x04, 0x00],
        ),
        (
            "response-refused-reason-too-long",
            "response",
            "a reason of MAX_REFUSAL_BYTES + 1 bytes",
            [vec![0x04, 0x02], text(&[b'r'; MAX_REFUSAL_BYTES + 1])].concat(),
        ),
        (
            "response-refused-reason-not-utf8",
            "response",
            "a reason that is not UTF-8",
            [vec![0x04, 0x02], text(&[0xc3, 0x28])].concat(),
        ),
        (
            "response-refused-trailing",
            "response",
            "Refused followed by one byte",
            vec![0x04, 0x02, 0x00, 0x00],
        ),
    ]
}

fn generate() -> Value {
    let valid: Vec<Value> = valid_frames()
        .into_iter()
        .map(|(name, description, frame)| {
            json!({
                "name": name,
                "direction": frame.direction(),
                "description": description,
                "hex": hex::encode(frame.encode()),
                "frame": frame_json(&frame),
            })
        })
        .collect();
    let invalid: Vec<Value> = invalid_frames()
        .into_iter()
        .map(|(name, direction, description, bytes)| {
            let error = match decode(direction, &bytes) {
                Ok(_) => panic!("invalid vector {name} decodes"),
                Err(e) => e,
            };
            json!({
                "name": name,
                "direction": direction,
                "description": description,
                "hex": hex::encode(&bytes),
                "error": error_code(&error),
                "message": error.to_string(),
            })
        })
        .collect();
    json!({
        "format": "baraza-sync-frames/1",
        "description": "Frames of /baraza/sync/1 (docs/PROTOCOL.md §13, Sync frames). `hex` is a frame without its 4-byte length prefix; `direction` says whether it is decoded as a request or a response. A valid frame decodes to `frame` and re-encodes to the same bytes; an invalid frame MUST be rejected (`error` and `message` name the reference decoder's error, informative).",
        "valid": valid,
        "invalid": invalid,
    })
}

fn on_disk() -> Value {
    let path = vectors_file();
    let bytes = fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (regenerate with BARAZA_UPDATE_VECTORS=1)",
            path.display()
        )
    });
    serde_json::from_slice(&bytes).expect("frames.json parses")
}

#[test]
fn vectors_on_disk_equal_the_generated_ones() {
    let generated = generate();
    let path = vectors_file();
    if std::env::var_os("BARAZA_UPDATE_VECTORS").is_some() {
        fs::create_dir_all(path.parent().expect("parent")).expect("create vectors dir");
        let pretty = serde_json::to_string_pretty(&generated).expect("json") + "\n";
        fs::write(&path, pretty).expect("write vectors");
    }
    assert_eq!(
        on_disk(),
        generated,
        "{} differs from what the code generates (regenerate with BARAZA_UPDATE_VECTORS=1)",
        path.display()
    );
}

#[test]
fn every_valid_frame_decodes_to_its_form_and_re_encodes_identically() {
    let vectors = on_disk();
    let valid = vectors["valid"].as_array().expect("valid");
    assert!(valid.len() >= 10, "the valid vectors are all there");
    for v in valid {
        let name = v["name"].as_str().expect("name");
        let direction = v["direction"].as_str().expect("direction");
        let bytes = hex_field(v, "hex");
        let decoded = decode(direction, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            decoded.encode(),
            bytes,
            "{name}: re-encodes to the same bytes"
        );
        let expected = frame_from_json(direction, &v["frame"]);
        match (&decoded, &expected) {
            (Frame::Request(a), Frame::Request(b)) => assert_eq!(a, b, "{name}"),
            (Frame::Response(a), Frame::Response(b)) => assert_eq!(a, b, "{name}"),
            _ => panic!("{name}: direction"),
        }
        assert_eq!(frame_json(&decoded), v["frame"], "{name}");
    }
}

#[test]
fn every_invalid_frame_fails_with_its_error() {
    let vectors = on_disk();
    let invalid = vectors["invalid"].as_array().expect("invalid");
    assert!(invalid.len() >= 20, "the invalid vectors are all there");
    for v in invalid {
        let name = v["name"].as_str().expect("name");
        let direction = v["direction"].as_str().expect("direction");
        match decode(direction, &hex_field(v, "hex")) {
            Ok(_) => panic!("{name} decoded"),
            Err(e) => {
                assert_eq!(Some(error_code(&e)), v["error"].as_str(), "{name}: {e}");
                assert_eq!(
                    Some(e.to_string().as_str()),
                    v["message"].as_str(),
                    "{name}"
                );
            }
        }
    }
}

#[test]
fn the_worked_examples_of_the_spec_are_these_bytes() {
    // docs/PROTOCOL.md §13 "Sync frames": a Fetch of two ids and a Done,
    // each with its 4-byte big-endian length prefix.
    let fetch = SyncRequest::Fetch {
        network: NETWORK.into(),
        ids: vec![ObjectId([1; 32]), ObjectId([2; 32])],
    }
    .encode();
    let framed = |frame: &[u8]| [&(frame.len() as u32).to_be_bytes()[..], frame].concat();
    let expected = format!(
        "0000004e020b{}02{}{}",
        hex::encode(NETWORK),
        "01".repeat(32),
        "02".repeat(32)
    );
    assert_eq!(hex::encode(framed(&fetch)), expected);
    assert_eq!(
        hex::encode(framed(&SyncResponse::Done.encode())),
        "0000000102"
    );
    assert_eq!(
        example_message().encode().len(),
        63,
        "the §13 message example"
    );
}
