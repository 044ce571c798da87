//! Tests of the portable variant (PBKDF2-SHA256 + AES-256-GCM): round trips,
//! tampering, the bounds and pairings the reader enforces, and the
//! known-answer vector in `protocol/tests/vectors/keystore/` that the
//! browser's implementation is checked against too.
//!
//! The vector files must equal what the code generates; regenerate after a
//! deliberate format change with
//! `BARAZA_UPDATE_VECTORS=1 cargo test -p baraza-cli portable_vector`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use baraza_protocol::Keypair;

use super::seal::{ITERATIONS_RANGE, PORTABLE_ITERATIONS};
use super::{Keystore, KeystoreError, Sealing};

/// The vector's inputs, fixed so the file is reproducible byte for byte.
const VECTOR_SEED: [u8; 32] = [0x07; 32];
const VECTOR_PASSPHRASE: &str = "correct horse battery staple";
const VECTOR_SALT: [u8; 16] = [0x01; 16];
const VECTOR_NONCE: [u8; 12] = [0x02; 12];

/// The fewest iterations a file may have, so most tests stay quick; the
/// format is the same as at 600,000.
fn quick(keypair: &Keypair, passphrase: &[u8]) -> Keystore {
    let sealing = Sealing::portable_with(*ITERATIONS_RANGE.start(), [3; 16], [4; 12]);
    Keystore::seal_with(keypair, passphrase, sealing).expect("sealing works")
}

fn json_of(store: &Keystore) -> serde_json::Value {
    serde_json::from_slice(&store.to_file_bytes()).expect("the file is JSON")
}

fn parse(json: &serde_json::Value) -> Result<Keystore, KeystoreError> {
    let bytes = serde_json::to_vec(json).expect("serializes");
    Keystore::from_file_bytes(&bytes, Path::new("portable.json"))
}

fn malformed_detail(result: Result<Keystore, KeystoreError>) -> String {
    match result {
        Err(KeystoreError::Malformed { detail, .. }) => detail,
        Err(other) => panic!("expected Malformed, got {other}"),
        Ok(_) => panic!("expected Malformed, the file was accepted"),
    }
}

#[test]
fn portable_seal_save_load_unlock_round_trip() {
    let keypair = Keypair::from_seed(&[9; 32]);
    let store = Keystore::seal_portable(&keypair, b"correct horse").expect("seals");
    let json = json_of(&store);
    assert_eq!(json["kdf"]["algorithm"], "pbkdf2-sha256");
    assert_eq!(json["kdf"]["iterations"], PORTABLE_ITERATIONS);
    assert_eq!(json["cipher"]["algorithm"], "aes-256-gcm");
    assert_eq!(json["cipher"]["nonce"].as_str().map(str::len), Some(24));
    assert_eq!(json["kdf"]["salt"].as_str().map(str::len), Some(32));
    assert_eq!(
        json["cipher"]["ciphertext"].as_str().map(str::len),
        Some(96)
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("exported.json");
    store.write_file(&path, false).expect("writes");
    assert_eq!(
        fs::metadata(&path).expect("written").permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(fs::read_dir(dir.path()).expect("lists").count(), 1);
    let loaded = Keystore::load(&path).expect("loads");
    assert_eq!(loaded, store);
    let unlocked = loaded.unlock(b"correct horse").expect("unlocks");
    assert_eq!(*unlocked.secret_seed(), *keypair.secret_seed());
}

#[test]
fn fresh_portable_files_differ_in_salt_and_nonce() {
    let sealings = [Sealing::portable(), Sealing::portable()];
    let [Sealing::Pbkdf2AesGcm {
        salt: s1,
        nonce: n1,
        ..
    }, Sealing::Pbkdf2AesGcm {
        salt: s2,
        nonce: n2,
        ..
    }] = sealings
    else {
        panic!("portable() is the PBKDF2 variant");
    };
    assert_ne!(s1, s2);
    assert_ne!(n1, n2);
}

#[test]
fn portable_write_file_refuses_an_existing_file_unless_asked() {
    let first = quick(&Keypair::from_seed(&[1; 32]), b"pw");
    let second = quick(&Keypair::from_seed(&[2; 32]), b"pw");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.json");
    first.write_file(&path, false).expect("first write");
    assert!(matches!(
        second.write_file(&path, false),
        Err(KeystoreError::AlreadyExists(_))
    ));
    assert_eq!(Keystore::load(&path).expect("loads"), first);
    second.write_file(&path, true).expect("overwrite");
    assert_eq!(Keystore::load(&path).expect("loads"), second);
    assert_eq!(fs::read_dir(dir.path()).expect("lists").count(), 1);
}

#[test]
fn portable_wrong_passphrase_is_refused() {
    let store = quick(&Keypair::from_seed(&[9; 32]), b"correct horse");
    assert!(matches!(
        store.unlock(b"correct horsE"),
        Err(KeystoreError::WrongPassphrase)
    ));
}

#[test]
fn portable_tampering_with_any_sealed_field_is_detected() {
    let keypair = Keypair::from_seed(&[9; 32]);
    let store = quick(&keypair, b"pw");
    let original = json_of(&store);
    let other_did = Keypair::from_seed(&[8; 32]).public().to_did();
    let flip_first_digit = |hex: &str| {
        let flipped = if hex.starts_with('0') { "1" } else { "0" };
        format!("{flipped}{}", &hex[1..])
    };
    let cases: [(&str, &[&str]); 4] = [
        ("ciphertext", &["cipher", "ciphertext"]),
        ("nonce", &["cipher", "nonce"]),
        ("salt", &["kdf", "salt"]),
        ("did", &["did"]),
    ];
    for (name, pointer) in cases {
        let mut doctored = original.clone();
        let mut field = &mut doctored;
        for key in pointer {
            field = &mut field[*key];
        }
        let value = field.as_str().expect("a string field").to_string();
        *field = if name == "did" {
            other_did.clone().into()
        } else {
            flip_first_digit(&value).into()
        };
        assert_ne!(doctored, original, "{name} changed");
        let tampered =
            parse(&doctored).unwrap_or_else(|e| panic!("{name}: still well-formed: {e}"));
        assert!(
            matches!(tampered.unlock(b"pw"), Err(KeystoreError::WrongPassphrase)),
            "tampered {name} must not open"
        );
    }
    // The untouched file still opens, so the failures above are the tampering.
    assert!(parse(&original).expect("parses").unlock(b"pw").is_ok());
}

#[test]
fn portable_iteration_count_outside_the_range_is_malformed() {
    let store = quick(&Keypair::from_seed(&[9; 32]), b"pw");
    for iterations in [0u64, 1, 99_999, 10_000_001, u64::from(u32::MAX)] {
        let mut json = json_of(&store);
        json["kdf"]["iterations"] = iterations.into();
        let detail = malformed_detail(parse(&json));
        assert!(
            detail.contains("100000..=10000000"),
            "{iterations}: {detail}"
        );
    }
    for iterations in [100_000u32, 10_000_000] {
        let mut json = json_of(&store);
        json["kdf"]["iterations"] = iterations.into();
        parse(&json).unwrap_or_else(|e| panic!("{iterations} is in range: {e}"));
    }
}

#[test]
fn mismatched_kdf_and_cipher_are_malformed_naming_both() {
    let portable = json_of(&quick(&Keypair::from_seed(&[9; 32]), b"pw"));
    let mut crossed = portable.clone();
    crossed["cipher"]["algorithm"] = "xchacha20poly1305".into();
    let detail = malformed_detail(parse(&crossed));
    assert!(
        detail.contains("pbkdf2-sha256") && detail.contains("xchacha20poly1305"),
        "{detail}"
    );

    let argon = Keystore::seal(
        &Keypair::from_seed(&[9; 32]),
        b"pw",
        super::KdfCost {
            m_cost: 64,
            t_cost: 1,
            p_cost: 1,
        },
    )
    .expect("seals");
    let mut crossed = json_of(&argon);
    crossed["cipher"]["algorithm"] = "aes-256-gcm".into();
    let detail = malformed_detail(parse(&crossed));
    assert!(
        detail.contains("argon2id") && detail.contains("aes-256-gcm"),
        "{detail}"
    );

    let mut unknown = portable.clone();
    unknown["cipher"]["algorithm"] = "aes-128-gcm".into();
    let detail = malformed_detail(parse(&unknown));
    assert!(detail.contains("aes-128-gcm"), "{detail}");
}

#[test]
fn portable_files_refuse_unknown_and_foreign_fields() {
    let portable = json_of(&quick(&Keypair::from_seed(&[9; 32]), b"pw"));
    let mut extra = portable.clone();
    extra["kdf"]["m_cost"] = 64.into();
    let detail = malformed_detail(parse(&extra));
    assert!(detail.contains("m_cost"), "{detail}");
    let mut extra = portable.clone();
    extra["cipher"]["tag"] = "00".into();
    assert!(malformed_detail(parse(&extra)).contains("tag"));
    let mut missing = portable.clone();
    missing["kdf"]
        .as_object_mut()
        .expect("kdf is an object")
        .remove("iterations");
    assert!(malformed_detail(parse(&missing)).contains("iterations"));
    let mut unknown_kdf = portable.clone();
    unknown_kdf["kdf"]["algorithm"] = "scrypt".into();
    assert!(malformed_detail(parse(&unknown_kdf)).contains("scrypt"));
    // An AES-GCM nonce is 12 bytes, not XChaCha's 24.
    let mut long_nonce = portable;
    long_nonce["cipher"]["nonce"] = "00".repeat(24).into();
    let detail = malformed_detail(parse(&long_nonce));
    assert!(
        detail.contains("cipher.nonce must be 24 hex digits"),
        "{detail}"
    );
}

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../protocol/tests/vectors/keystore")
}

/// The vector file and its inputs, as the code makes them today.
fn generate_vector() -> (Vec<u8>, Vec<u8>) {
    let keypair = Keypair::from_seed(&VECTOR_SEED);
    let sealing = Sealing::portable_with(PORTABLE_ITERATIONS, VECTOR_SALT, VECTOR_NONCE);
    let store =
        Keystore::seal_with(&keypair, VECTOR_PASSPHRASE.as_bytes(), sealing).expect("seals");
    let meta = serde_json::json!({
        "passphrase": VECTOR_PASSPHRASE,
        "seed": hex::encode(VECTOR_SEED),
        "did": keypair.public().to_did(),
        "iterations": PORTABLE_ITERATIONS,
    });
    let meta = serde_json::to_string_pretty(&meta).expect("json") + "\n";
    (store.to_file_bytes(), meta.into_bytes())
}

#[test]
fn portable_vector_is_checked_in_and_opens_to_its_seed() {
    let dir = vectors_dir();
    let file = dir.join("portable.json");
    let meta_file = dir.join("portable.meta.json");
    let (bytes, meta) = generate_vector();
    if std::env::var_os("BARAZA_UPDATE_VECTORS").is_some() {
        fs::create_dir_all(&dir).expect("create vectors dir");
        fs::write(&file, &bytes).expect("write vector");
        fs::write(&meta_file, &meta).expect("write vector meta");
    }
    let read = |path: &Path| {
        fs::read(path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (regenerate with BARAZA_UPDATE_VECTORS=1)",
                path.display()
            )
        })
    };
    assert_eq!(
        String::from_utf8_lossy(&read(&file)),
        String::from_utf8_lossy(&bytes),
        "{} differs from what the code generates (regenerate with BARAZA_UPDATE_VECTORS=1)",
        file.display()
    );
    assert_eq!(
        String::from_utf8_lossy(&read(&meta_file)),
        String::from_utf8_lossy(&meta),
        "{} differs from what the code generates",
        meta_file.display()
    );

    // Independently of the generator: the checked-in file opens to the seed
    // its meta file names, under the passphrase it names.
    let meta: serde_json::Value = serde_json::from_slice(&read(&meta_file)).expect("meta json");
    let store = Keystore::load(&file).expect("the vector loads");
    assert_eq!(Some(store.public().to_did().as_str()), meta["did"].as_str());
    let passphrase = meta["passphrase"].as_str().expect("passphrase");
    let keypair = store
        .unlock(passphrase.as_bytes())
        .expect("the vector unlocks");
    assert_eq!(
        Some(hex::encode(*keypair.secret_seed()).as_str()),
        meta["seed"].as_str()
    );
    assert_eq!(meta["iterations"], PORTABLE_ITERATIONS);
}
