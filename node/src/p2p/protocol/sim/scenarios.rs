//! The simulation's scenarios: parking of children before parents, busy
//! back-off, bans, de-duplication of claimed ids, partitions and heal.

use super::*;

fn ids_of(objects: &[Vec<u8>]) -> Vec<ObjectId> {
    objects.iter().map(|o| ObjectId::of_bytes(o)).collect()
}

/// Objects created at `node`'s side: `n` roots, each with one child.
fn family(tag: u64, n: u64) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for i in 0..n {
        let root = object(tag * 1_000_000 + 2 * i, None);
        let child = object(tag * 1_000_000 + 2 * i + 1, Some(ObjectId::of_bytes(&root)));
        out.push(root);
        out.push(child);
    }
    out
}

#[test]
fn a_child_gossiped_before_its_parent_is_parked_and_forwarded_at_every_hop() {
    let mut sim = Sim::new(5, 7);
    for i in 0..4 {
        sim.connect(i, i + 1);
    }
    sim.run_until(Duration::from_secs(3));
    let parent = object(1, None);
    let child = object(2, Some(ObjectId::of_bytes(&parent)));
    let (p, c) = (ObjectId::of_bytes(&parent), ObjectId::of_bytes(&child));
    // The store's events come child first: the child goes out on gossip
    // before its parent.
    sim.submit(0, vec![parent, child], &[1, 0]);
    sim.run_until(Duration::from_secs(4));
    for n in 1..5 {
        assert!(
            sim.store(n).contains(&p) && sim.store(n).contains(&c),
            "node {n}"
        );
    }
    let at_one: Vec<GossipVerdict> = sim
        .trace
        .verdicts
        .iter()
        .filter(|(n, id, _)| *n == 1 && *id == c)
        .map(|(_, _, v)| *v)
        .collect();
    assert_eq!(at_one, vec![GossipVerdict::Accept], "parked, then accepted");
    assert!(
        sim.trace
            .verdicts
            .iter()
            .any(|(n, id, v)| *n == 4 && *id == c && *v == GossipVerdict::Accept),
        "the child reached the far end by gossip"
    );
    assert!(
        !sim.trace
            .verdicts
            .iter()
            .any(|(_, _, v)| *v == GossipVerdict::Ignore),
        "nothing was ignored"
    );
}

#[test]
fn a_parked_child_whose_parent_never_comes_is_ignored_after_the_wait() {
    let mut sim = Sim::new(2, 3);
    sim.connect(0, 1);
    sim.run_until(Duration::from_secs(3));
    let orphan = object(5, Some(ObjectId([9; 32])));
    let id = ObjectId::of_bytes(&orphan);
    sim.inject_gossip(0, orphan);
    sim.run_until(Duration::from_secs(4));
    assert!(
        sim.trace.verdicts.iter().all(|(_, o, _)| *o != id),
        "parked"
    );
    // Parked at about 3.03 s: ignored on the dot of the 2 s wait, not
    // at the next tick.
    sim.run_until(Duration::from_millis(5_500));
    assert_eq!(
        sim.trace.verdicts,
        vec![(1, id, GossipVerdict::Ignore)],
        "ignored once the wait is over"
    );
}

#[test]
fn claimed_ids_are_fetched_from_one_peer_only() {
    let mut sim = Sim::new(3, 11);
    let objects: Vec<Vec<u8>> = (0..600).map(|i| object(i, None)).collect();
    for n in [1, 2] {
        sim.submit(n, objects.clone(), &[]);
    }
    sim.connect(0, 1);
    sim.connect(0, 2);
    sim.run_until(Duration::from_secs(10));
    let mut asked: Vec<ObjectId> = sim
        .trace
        .fetches
        .iter()
        .filter(|(from, _, _)| *from == 0)
        .flat_map(|(_, _, ids)| ids.clone())
        .collect();
    assert_eq!(asked.len(), 600, "each id asked for once");
    asked.sort();
    let mut want = ids_of(&objects);
    want.sort();
    assert_eq!(asked, want);
    assert_eq!(sim.store(0).objects.len(), 600);
}

#[test]
fn busy_peers_back_off_and_everyone_converges() {
    let mut sim = Sim::new(6, 5);
    let objects: Vec<Vec<u8>> = (0..1200).map(|i| object(i, None)).collect();
    sim.submit(0, objects, &[]);
    sim.set_read_delay(0, Duration::from_millis(400));
    // Five sessions of four fetches each want more than node 0 answers
    // at once.
    for n in 1..6 {
        sim.connect(n, 0);
    }
    sim.run_until(Duration::from_secs(60));
    assert!(
        sim.trace.busy.get(&0).is_some_and(|b| *b > 0),
        "node 0 was busy"
    );
    assert!(sim.trace.resumes > 0, "sessions backed off");
    for n in 1..6 {
        assert_eq!(sim.store(n).objects.len(), 1200, "node {n}");
    }
}

#[test]
fn a_peer_sending_invalid_objects_is_banned_by_everyone() {
    let mut sim = Sim::new(5, 13);
    for a in 0..5 {
        for b in a + 1..5 {
            sim.connect(a, b);
        }
    }
    sim.run_until(Duration::from_secs(3));
    let evil = 4;
    for k in 0..4 {
        sim.inject_gossip(evil, invalid_object(k));
        sim.run_until(Duration::from_secs(4 + k));
    }
    let mut banned: Vec<(usize, usize)> = sim.trace.bans.clone();
    banned.sort();
    assert_eq!(banned, vec![(0, evil), (1, evil), (2, evil), (3, evil)]);
    for n in 0..4 {
        assert!(!sim.linked(n, evil), "node {n} cut the hostile peer off");
        let rejected = sim
            .trace
            .verdicts
            .iter()
            .filter(|(m, _, v)| *m == n && *v == GossipVerdict::Reject)
            .count();
        assert_eq!(rejected, 3, "node {n}: three strikes, then no link");
    }
    // Honest gossip still flows.
    sim.submit(0, vec![object(42, None)], &[0]);
    sim.run_until(Duration::from_secs(10));
    for n in 1..4 {
        assert_eq!(sim.store(n).objects.len(), 1, "node {n}");
    }
}

/// A digest of what one run of the partition scenario did.
fn partition_and_heal(seed: u64) -> (u64, Vec<usize>) {
    let mut sim = Sim::new(6, seed);
    for a in 0..6 {
        for b in a + 1..6 {
            sim.connect(a, b);
        }
    }
    sim.run_until(Duration::from_secs(3));
    for a in 0..3 {
        for b in 3..6 {
            sim.disconnect(a, b);
        }
    }
    let left = family(1, 40);
    let right = family(2, 40);
    // Children announced before parents on the left.
    let order: Vec<usize> = (0..left.len()).rev().collect();
    sim.submit(0, left.clone(), &order);
    sim.submit(4, right.clone(), &(0..right.len()).collect::<Vec<_>>());
    sim.run_until(Duration::from_secs(8));
    let (l, r) = (ids_of(&left), ids_of(&right));
    for n in 0..6 {
        let store = sim.store(n);
        let (own, other) = if n < 3 { (&l, &r) } else { (&r, &l) };
        assert!(
            own.iter().all(|id| store.contains(id)),
            "node {n} has its side"
        );
        assert!(
            !other.iter().any(|id| store.contains(id)),
            "node {n} is cut off"
        );
    }
    for a in 0..3 {
        for b in 3..6 {
            sim.connect(a, b);
        }
    }
    sim.run_until(Duration::from_secs(15));
    for n in 0..6 {
        let store = sim.store(n);
        assert!(
            l.iter().chain(&r).all(|id| store.contains(id)),
            "node {n} converged"
        );
    }
    let sizes = (0..6).map(|n| sim.store(n).objects.len()).collect();
    (sim.trace.events, sizes)
}

#[test]
fn partitions_heal_and_converge_deterministically() {
    let first = partition_and_heal(42);
    assert_eq!(first.1, vec![160; 6]);
    assert_eq!(first, partition_and_heal(42), "the same seed, the same run");
}
