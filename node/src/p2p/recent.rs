//! A bounded set of ids that forgets the oldest first.

use std::collections::{HashSet, VecDeque};

use baraza_protocol::ObjectId;

/// Remembers at most `capacity` ids; inserting beyond forgets the oldest.
#[derive(Debug)]
pub(crate) struct RecentIds {
    capacity: usize,
    set: HashSet<ObjectId>,
    order: VecDeque<ObjectId>,
}

impl RecentIds {
    pub(crate) fn new(capacity: usize) -> RecentIds {
        RecentIds {
            capacity: capacity.max(1),
            set: HashSet::new(),
            order: VecDeque::new(),
        }
    }

    pub(crate) fn insert(&mut self, id: ObjectId) {
        if !self.set.insert(id) {
            return;
        }
        self.order.push_back(id);
        if self.order.len() > self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.set.remove(&oldest);
            }
        }
    }

    pub(crate) fn contains(&self, id: &ObjectId) -> bool {
        self.set.contains(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_id_is_forgotten_first() {
        let mut r = RecentIds::new(2);
        r.insert(ObjectId([1; 32]));
        r.insert(ObjectId([2; 32]));
        r.insert(ObjectId([1; 32]));
        r.insert(ObjectId([3; 32]));
        assert!(!r.contains(&ObjectId([1; 32])));
        assert!(r.contains(&ObjectId([2; 32])));
        assert!(r.contains(&ObjectId([3; 32])));
    }
}
