//! Shared fixtures for the protocol's integration tests: fixed keys, fixed
//! times and one sample body per kind (from `baraza-testkit`), and a tiny
//! CBOR writer for building deliberately broken encodings.

#![allow(dead_code, unreachable_pub, unused_imports)]

pub use baraza_testkit::fixtures::{
    charter, charter_body, comment, comment_body, draft_body, sample_bodies, DAY, FEB_2024,
};
pub use baraza_testkit::keys::{editor, nri, stakeholder, steward};

/// A minimal CBOR writer that writes exactly what it is told, canonical or not.
pub mod raw {
    pub fn head(major: u8, arg: u64) -> Vec<u8> {
        let m = major << 5;
        match arg {
            0..=23 => vec![m | arg as u8],
            24..=0xff => vec![m | 24, arg as u8],
            0x100..=0xffff => {
                let mut v = vec![m | 25];
                v.extend_from_slice(&(arg as u16).to_be_bytes());
                v
            }
            0x1_0000..=0xffff_ffff => {
                let mut v = vec![m | 26];
                v.extend_from_slice(&(arg as u32).to_be_bytes());
                v
            }
            _ => {
                let mut v = vec![m | 27];
                v.extend_from_slice(&arg.to_be_bytes());
                v
            }
        }
    }
    pub fn uint(n: u64) -> Vec<u8> {
        head(0, n)
    }
    pub fn nint(n: i64) -> Vec<u8> {
        head(1, (-1 - n) as u64)
    }
    pub fn text(s: &str) -> Vec<u8> {
        let mut v = head(3, s.len() as u64);
        v.extend_from_slice(s.as_bytes());
        v
    }
    pub fn bytes(b: &[u8]) -> Vec<u8> {
        let mut v = head(2, b.len() as u64);
        v.extend_from_slice(b);
        v
    }
    /// A map with entries written in the given order.
    pub fn map(entries: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
        let mut v = head(5, entries.len() as u64);
        for (k, val) in entries {
            v.extend_from_slice(k);
            v.extend_from_slice(val);
        }
        v
    }
    pub fn array(items: &[Vec<u8>]) -> Vec<u8> {
        let mut v = head(4, items.len() as u64);
        for i in items {
            v.extend_from_slice(i);
        }
        v
    }
}
