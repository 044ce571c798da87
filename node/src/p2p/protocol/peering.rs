//! Peers: connections (and the per-address bound), identify's network
//! check, offences, graylist and bans, `sync --peer` waits, and the
//! once-a-second housekeeping (periodic and prompt syncs, re-dials).

use libp2p::core::ConnectedPoint;
use libp2p::swarm::ConnectionId;
use libp2p::{Multiaddr, PeerId};

use super::{
    Count, DialPurpose, Env, OutEvent, PeerInfo, PeerProtocol, PendingSync, WaiterId, DIAL_WAIT,
    REDIAL_EVERY, RESYNC_GAP,
};
use crate::p2p::behaviour::GRAYLIST_THRESHOLD;
use crate::p2p::limits::MAX_INBOUND_PER_IP;
use crate::p2p::peers::{Verdict, BAN_DURATION};

impl PeerProtocol {
    pub(super) fn on_connected(
        &mut self,
        peer: PeerId,
        connection: ConnectionId,
        endpoint: &ConnectedPoint,
    ) {
        let address = endpoint.get_remote_address();
        if !self.inbound.opened(connection, endpoint) {
            tracing::warn!(peer = %peer, %address, "too many connections from one address (most {MAX_INBOUND_PER_IP}); closing this one");
            self.count(Count::RefusedConnection);
            self.emit(OutEvent::CloseConnection(connection));
            return;
        }
        if self.penalties.is_banned(&peer, self.now) {
            self.emit(OutEvent::Disconnect(peer));
            return;
        }
        self.peers.entry(peer).or_insert_with(|| PeerInfo {
            address: address.clone(),
            confirmed: false,
            agent: None,
            last_sync: None,
        });
        self.count(Count::Peers(self.peers.len()));
        tracing::debug!(peer = %peer, %address, "peer connected");
    }

    pub(super) fn on_disconnected(
        &mut self,
        peer: PeerId,
        connection: ConnectionId,
        remaining: u32,
    ) {
        self.inbound.closed(connection);
        if remaining > 0 {
            return;
        }
        self.sync_buckets.forget(&peer);
        self.peers.remove(&peer);
        self.count(Count::Peers(self.peers.len()));
        self.fail_session(peer, "the connection closed".into());
        tracing::debug!(peer = %peer, "peer disconnected");
    }

    pub(super) fn on_identified(
        &mut self,
        env: &impl Env,
        peer: PeerId,
        protocol_version: String,
        agent: String,
        listen_addrs: Vec<Multiaddr>,
    ) {
        // Identify may report twice (on connect and on push) before the
        // disconnect of a banned peer is through.
        if self.penalties.is_banned(&peer, self.now) {
            return;
        }
        let ours = &self.config.version;
        if protocol_version != *ours {
            tracing::warn!(
                peer = %peer,
                theirs = %protocol_version,
                %ours,
                "peer is on another baraza network (or version); disconnecting and keeping it out for {} s",
                BAN_DURATION.as_secs()
            );
            let message = format!("peer is on network {protocol_version:?}, this node on {ours:?}");
            self.count(Count::WrongNetwork);
            self.ban(peer);
            self.fail_pending(peer, &message);
            return;
        }
        self.emit(OutEvent::AddAddresses {
            peer,
            addrs: listen_addrs,
        });
        let now = self.now;
        let Some(known) = self.peers.get_mut(&peer) else {
            return;
        };
        let first = !known.confirmed;
        known.confirmed = true;
        known.agent = Some(agent);
        let recent = known
            .last_sync
            .is_some_and(|t| now.saturating_duration_since(t) < RESYNC_GAP);
        let waiters = self
            .pending_syncs
            .remove(&peer)
            .map(|p| p.waiters)
            .unwrap_or_default();
        if first {
            tracing::info!(peer = %peer, "peer confirmed on this network");
        }
        if !waiters.is_empty() || (first && !recent) {
            self.start_session(env, peer, waiters);
        }
    }

    pub(super) fn on_dial_failed(&mut self, peer: PeerId, error: String, detail: String) {
        if self.config.bootstrap.iter().any(|(p, _)| *p == peer) {
            tracing::warn!(peer = %peer, error = %detail, "cannot reach bootstrap peer; retrying every {} s", REDIAL_EVERY.as_secs());
        }
        self.fail_pending(peer, &format!("cannot connect: {error}"));
        tracing::debug!(peer = %peer, %error, "dial failed");
    }

    /// `sync --peer`: run a session now if the peer is confirmed, else dial
    /// it (if not connected) and wait for it.
    pub(super) fn on_sync_wanted(
        &mut self,
        env: &impl Env,
        peer: PeerId,
        addr: Multiaddr,
        waiter: WaiterId,
    ) {
        if self.peers.get(&peer).is_some_and(|p| p.confirmed) {
            self.start_session(env, peer, vec![waiter]);
            return;
        }
        if self.penalties.is_banned(&peer, self.now) {
            self.reply_error(peer, vec![waiter], "the peer is blocked for a while (it misbehaved, or is on another network; see the log)");
            return;
        }
        if !self.peers.contains_key(&peer) {
            self.emit(OutEvent::Dial {
                addr,
                purpose: DialPurpose::Sync { peer, waiter },
            });
        }
        let now = self.now;
        self.pending_syncs
            .entry(peer)
            .or_insert_with(|| PendingSync {
                since: now,
                waiters: Vec::new(),
            })
            .waiters
            .push(waiter);
    }

    /// The dial for a wanted sync could not start: answer that waiter.
    pub(super) fn on_sync_dial_failed(&mut self, peer: PeerId, waiter: WaiterId, error: String) {
        if let Some(pending) = self.pending_syncs.get_mut(&peer) {
            pending.waiters.retain(|w| *w != waiter);
            if pending.waiters.is_empty() {
                self.pending_syncs.remove(&peer);
            }
        }
        self.reply_error(peer, vec![waiter], &error);
    }

    /// Answers everyone waiting for `peer` to connect with an error.
    fn fail_pending(&mut self, peer: PeerId, message: &str) {
        if let Some(pending) = self.pending_syncs.remove(&peer) {
            self.reply_error(peer, pending.waiters, message);
        }
    }

    // ----- penalties ------------------------------------------------------

    /// Counts an offence of `peer`; bans it on the last straw, or when
    /// gossipsub has graylisted it.
    pub(super) fn offend(&mut self, env: &impl Env, peer: PeerId, what: &str) {
        let now = self.now;
        if self.penalties.is_banned(&peer, now) {
            return;
        }
        match self.penalties.offend(peer, now) {
            Verdict::Warned(n) => tracing::info!(peer = %peer, offences = n, "peer {what}"),
            Verdict::Ban => {
                tracing::warn!(peer = %peer, "peer {what} once too often; disconnecting and keeping it out for {} s", BAN_DURATION.as_secs());
                self.count(Count::Ban);
                self.ban(peer);
                return;
            }
        }
        // Once graylisted, a peer's gossip never reaches the application,
        // so its offences would stop being counted: ban it on its score,
        // now, whether or not it is still connected.
        if self.graylisted(env, &peer) {
            self.ban_graylisted(peer);
        }
    }

    /// Whether gossipsub's score for `peer` is below the graylist threshold
    /// (and the peer is not banned already).
    fn graylisted(&self, env: &impl Env, peer: &PeerId) -> bool {
        !self.penalties.is_banned(peer, self.now)
            && env
                .score(peer)
                .is_some_and(|score| score < GRAYLIST_THRESHOLD)
    }

    fn ban_graylisted(&mut self, peer: PeerId) {
        tracing::warn!(peer = %peer, "peer's gossip score fell below the graylist threshold; disconnecting and keeping it out for {} s", BAN_DURATION.as_secs());
        self.count(Count::Ban);
        self.ban(peer);
    }

    fn ban(&mut self, peer: PeerId) {
        self.penalties.ban(peer, self.now);
        self.emit(OutEvent::Ban(peer));
        self.fail_session(peer, "the peer was banned".into());
    }

    // ----- housekeeping ---------------------------------------------------

    pub(super) fn on_tick(&mut self, env: &impl Env) {
        let now = self.now;
        self.expire_parked();
        let graylisted: Vec<PeerId> = self
            .peers
            .keys()
            .filter(|peer| self.graylisted(env, peer))
            .copied()
            .collect();
        for peer in graylisted {
            self.ban_graylisted(peer);
        }
        for peer in self.penalties.expired_bans(now) {
            self.emit(OutEvent::Unban(peer));
            tracing::info!(peer = %peer, "ban ended");
        }
        let interval = self.config.sync_interval;
        // Something could not be gossiped, or a peer has only now joined the
        // topic: sync with every peer now rather than at the minute. A peer
        // busy in a session gets its turn on a later tick.
        let prompt = std::mem::take(&mut self.resync_soon);
        let mut due = Vec::new();
        for (peer, info) in &self.peers {
            let wanted = prompt
                || info
                    .last_sync
                    .is_none_or(|t| now.saturating_duration_since(t) >= interval);
            if !info.confirmed || !wanted {
                continue;
            }
            if self.sessions.contains_key(peer) {
                self.resync_soon |= prompt;
            } else {
                due.push(*peer);
            }
        }
        for peer in due {
            self.start_session(env, peer, Vec::new());
        }
        let expired: Vec<PeerId> = self
            .pending_syncs
            .iter()
            .filter(|(_, p)| now.saturating_duration_since(p.since) >= DIAL_WAIT)
            .map(|(peer, _)| *peer)
            .collect();
        let message = format!(
            "not connected and confirmed within {} s",
            DIAL_WAIT.as_secs()
        );
        for peer in expired {
            self.fail_pending(peer, &message);
        }
        if now.saturating_duration_since(self.last_redial) >= REDIAL_EVERY {
            self.last_redial = now;
            self.redial_bootstrap();
        }
    }

    /// Dials the bootstrap peers that are not connected.
    pub(super) fn redial_bootstrap(&mut self) {
        let lost: Vec<Multiaddr> = self
            .config
            .bootstrap
            .iter()
            .filter(|(peer, _)| !self.peers.contains_key(peer))
            .map(|(_, addr)| addr.clone())
            .collect();
        for addr in lost {
            self.emit(OutEvent::Dial {
                addr,
                purpose: DialPurpose::Bootstrap,
            });
        }
        if self.config.discovery && !self.config.bootstrap.is_empty() {
            self.emit(OutEvent::KadBootstrap);
        }
    }

    /// The node stops: every session ends, its waiters answered; those
    /// waiting for a peer to connect are left to the driver.
    pub(super) fn stop(&mut self) {
        let now = self.now;
        let sessions = std::mem::take(&mut self.sessions);
        for (peer, session) in sessions {
            let (report, waiters) = session.finish(Some("the node is shutting down".into()), now);
            if !waiters.is_empty() {
                self.emit(OutEvent::Reply {
                    waiters,
                    peer,
                    result: Ok(report),
                });
            }
        }
        self.pending_syncs.clear();
    }
}
