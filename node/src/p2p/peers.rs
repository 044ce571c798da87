//! Offences and bans. A peer that sends something invalid — an object with
//! a bad signature, a frame that breaks a limit, garbage gossip — commits
//! an offence; [`OFFENCES_TO_BAN`] offences within [`OFFENCE_WINDOW`] get
//! it disconnected and blocked for [`BAN_DURATION`]. Gossipsub's own score
//! (see [`super::behaviour`]) acts sooner on the gossip path alone.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use libp2p::PeerId;

/// Offences that get a peer banned.
pub const OFFENCES_TO_BAN: u32 = 3;
/// How long an offence counts.
pub const OFFENCE_WINDOW: Duration = Duration::from_secs(600);
/// How long a banned peer stays blocked.
pub const BAN_DURATION: Duration = Duration::from_secs(600);
/// Peers tracked at once (a guard: the oldest entries are dropped first).
const MAX_TRACKED: usize = 4096;

/// What an offence leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Counted; the peer stays.
    Warned(u32),
    /// This offence crossed the line: disconnect and block.
    Ban,
}

/// Offence counts and bans, by peer.
#[derive(Debug, Default)]
pub struct Penalties {
    offences: HashMap<PeerId, (u32, Instant)>,
    banned: HashMap<PeerId, Instant>,
}

impl Penalties {
    /// Counts one offence of `peer` at `now`.
    pub fn offend(&mut self, peer: PeerId, now: Instant) -> Verdict {
        if self.offences.len() >= MAX_TRACKED && !self.offences.contains_key(&peer) {
            self.forget_expired(now);
            if self.offences.len() >= MAX_TRACKED {
                if let Some(oldest) = self
                    .offences
                    .iter()
                    .min_by_key(|(_, (_, t))| *t)
                    .map(|(p, _)| *p)
                {
                    self.offences.remove(&oldest);
                }
            }
        }
        let entry = self.offences.entry(peer).or_insert((0, now));
        if now.duration_since(entry.1) > OFFENCE_WINDOW {
            *entry = (0, now);
        }
        entry.0 += 1;
        if entry.0 >= OFFENCES_TO_BAN {
            self.ban(peer, now);
            Verdict::Ban
        } else {
            Verdict::Warned(entry.0)
        }
    }

    /// Bans `peer` from `now` for [`BAN_DURATION`], whatever its offences.
    pub fn ban(&mut self, peer: PeerId, now: Instant) {
        self.offences.remove(&peer);
        self.banned.insert(peer, now + BAN_DURATION);
    }

    /// Whether `peer` is banned at `now`.
    pub fn is_banned(&self, peer: &PeerId, now: Instant) -> bool {
        self.banned.get(peer).is_some_and(|until| *until > now)
    }

    /// Bans that ended by `now`, removed (to unblock them).
    pub fn expired_bans(&mut self, now: Instant) -> Vec<PeerId> {
        let ended: Vec<PeerId> = self
            .banned
            .iter()
            .filter(|(_, until)| **until <= now)
            .map(|(p, _)| *p)
            .collect();
        for peer in &ended {
            self.banned.remove(peer);
        }
        ended
    }

    /// Peers banned now.
    pub fn banned(&self) -> impl Iterator<Item = &PeerId> {
        self.banned.keys()
    }

    fn forget_expired(&mut self, now: Instant) {
        self.offences
            .retain(|_, (_, since)| now.duration_since(*since) <= OFFENCE_WINDOW);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_is_banned_on_the_third_offence_and_released_later() {
        let mut p = Penalties::default();
        let peer = PeerId::random();
        let t0 = Instant::now();
        assert_eq!(p.offend(peer, t0), Verdict::Warned(1));
        assert_eq!(p.offend(peer, t0), Verdict::Warned(2));
        assert_eq!(p.offend(peer, t0), Verdict::Ban);
        assert!(p.is_banned(&peer, t0));
        assert!(p.expired_bans(t0).is_empty());
        let later = t0 + BAN_DURATION;
        assert_eq!(p.expired_bans(later), vec![peer]);
        assert!(!p.is_banned(&peer, later));
    }

    #[test]
    fn offences_outside_the_window_do_not_add_up() {
        let mut p = Penalties::default();
        let peer = PeerId::random();
        let t0 = Instant::now();
        p.offend(peer, t0);
        p.offend(peer, t0);
        let later = t0 + OFFENCE_WINDOW + Duration::from_secs(1);
        assert_eq!(p.offend(peer, later), Verdict::Warned(1));
    }
}
