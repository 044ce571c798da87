//! A seeded many-peer simulation of range-based set reconciliation.
//!
//! Eight peers start with random, overlapping sets. Each round every peer,
//! in a random order, opens a session with a random other peer. Every
//! message is lost with some probability; a lost message aborts the session
//! (what it found is dropped, as a node would retry later). A completed
//! session transfers what each side found it needs. The peers must all hold
//! the union within a bounded number of rounds, whatever the seed.

mod sync_support;

use std::collections::{BTreeSet, HashMap};

use baraza_protocol::sync::{Reconciler, SortedVecStore, SyncKey, SyncStore, MIN_FRAME_BYTES};
use baraza_protocol::ObjectId;
use sync_support::{run_session, Rng};

const PEERS: usize = 8;
/// Keys every peer starts with.
const SHARED: usize = 400;
/// Keys each peer holds with probability [`POOL_SHARE`].
const POOL: usize = 1_200;
const POOL_SHARE: f64 = 0.4;
/// Keys only one peer starts with.
const UNIQUE_PER_PEER: usize = 60;
const LOSS: f64 = 0.1;
/// Rounds within which every seed must converge.
const MAX_ROUNDS: usize = 20;

struct Peer {
    store: SortedVecStore,
    reconciler: Reconciler,
}

fn simulate(seed: u64) -> usize {
    let mut rng = Rng(seed);
    let mut all: HashMap<ObjectId, SyncKey> = HashMap::new();
    let mut fresh = |rng: &mut Rng| {
        let k = rng.key(1_700_000_000_000, 10_000);
        all.insert(k.id, k);
        k
    };
    let shared: Vec<SyncKey> = (0..SHARED).map(|_| fresh(&mut rng)).collect();
    let pool: Vec<SyncKey> = (0..POOL).map(|_| fresh(&mut rng)).collect();
    let mut peers: Vec<Peer> = (0..PEERS)
        .map(|_| {
            let mut keys = shared.clone();
            keys.extend(pool.iter().filter(|_| rng.chance(POOL_SHARE)));
            keys.extend((0..UNIQUE_PER_PEER).map(|_| fresh(&mut rng)));
            // Peers differ in their parameters: messages must not depend on them.
            let reconciler = Reconciler::new()
                .with_branching(8 + rng.below(9) as usize)
                .with_id_list_threshold(16 + rng.below(25) as usize)
                .with_frame_limit(if rng.chance(0.5) {
                    MIN_FRAME_BYTES
                } else {
                    usize::MAX
                });
            Peer {
                store: SortedVecStore::from_keys(keys),
                reconciler,
            }
        })
        .collect();
    let union: BTreeSet<SyncKey> = peers
        .iter()
        .flat_map(|p| p.store.as_slice().iter().copied())
        .collect();
    let converged = |peers: &[Peer]| peers.iter().all(|p| p.store.len() == union.len());

    for round in 1..=MAX_ROUNDS {
        let mut order: Vec<usize> = (0..PEERS).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        for a in order {
            let b = (a + 1 + rng.below(PEERS as u64 - 1) as usize) % PEERS;
            let (pa, pb) = (&peers[a], &peers[b]);
            let loss_rng = &mut rng;
            let Some(session) = run_session(
                &pa.reconciler,
                &pb.reconciler,
                &pa.store,
                &pb.store,
                500,
                |_| !loss_rng.chance(LOSS),
            ) else {
                continue;
            };
            // The initiator fetches what it needs from the responder, and the
            // responder from the initiator; both verify the id is real.
            for (to, from, need) in [(a, b, &session.a_need), (b, a, &session.b_need)] {
                let fetched: Vec<SyncKey> = need
                    .iter()
                    .map(|id| all[id])
                    .inspect(|k| assert!(peers[from].store.contains(k), "{from} holds it"))
                    .collect();
                let store = &mut peers[to].store;
                *store = SortedVecStore::from_keys(store.as_slice().iter().copied().chain(fetched));
            }
            // The session settled the pair: they now hold the same set.
            assert_eq!(
                peers[a].store.fingerprint(0..usize::MAX),
                peers[b].store.fingerprint(0..usize::MAX),
                "seed {seed} round {round}: {a} and {b} agree after their session"
            );
        }
        if converged(&peers) {
            for p in &peers {
                let held: BTreeSet<SyncKey> = p.store.as_slice().iter().copied().collect();
                assert_eq!(held, union);
            }
            return round;
        }
    }
    panic!("seed {seed}: no convergence within {MAX_ROUNDS} rounds");
}

#[test]
fn peers_converge_to_the_union_despite_message_loss() {
    let rounds: Vec<usize> = (0..4u64).map(|seed| simulate(0x5eed + seed)).collect();
    eprintln!("rounds to convergence per seed: {rounds:?}");
}
