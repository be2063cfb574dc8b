//! The planner's first promise on the model schema: applying a plan and planning again leaves
//! nothing to do (the same promise over every vendor's schema is in `vendor::proptests`).

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::*;

/// What a vendor would hold after the plan ran: the model of an ideal executor.
fn execute(actual: &[ActualUser], p: &TargetPlan) -> Vec<ActualUser> {
    let mut world: BTreeMap<String, ActualUser> =
        actual.iter().map(|a| (a.id.clone(), a.clone())).collect();
    for d in &p.deletes {
        world.remove(d.vendor_id());
    }
    for u in p.updates.iter().chain(&p.deactivations) {
        let user = world
            .get_mut(u.user.vendor_id())
            .expect("update of a user that exists");
        for c in &u.changes {
            user.fields.insert(c.field.clone(), c.to.clone());
            if c.field == names::EMAIL {
                user.key = c.to.as_text().unwrap().to_lowercase();
            }
        }
    }
    let mut next = world.len() + 1000;
    for c in &p.creates {
        next += 1;
        world.insert(
            next.to_string(),
            ActualUser {
                id: next.to_string(),
                key: c.user.key.clone(),
                fields: c.fields.clone(),
            },
        );
    }
    for m in &p.memberships {
        for u in &m.join {
            let f = world
                .get_mut(u.vendor_id())
                .unwrap()
                .fields
                .get_or_insert_with(m.field.clone(), || Value::Set(crate::model::Set::new()));
            if let Value::Set(s) = f {
                s.insert(m.collection.clone());
            }
        }
        for u in &m.leave {
            if let Some(Value::Set(s)) = world
                .get_mut(u.vendor_id())
                .unwrap()
                .fields
                .get_mut(&m.field)
            {
                s.remove(&m.collection);
            }
        }
    }
    world.into_values().collect()
}

proptest! {
    #[test]
    fn plan_apply_plan_is_empty(
        desired in proptest::collection::vec(arb_user(), 0..10),
        actual in proptest::collection::vec(arb_user(), 0..10),
        bind in proptest::collection::vec(any::<bool>(), 10),
        delete in any::<bool>(),
    ) {
        let actual = drawn_actual(actual);
        let mut ids = BTreeSet::new();
        let mut desired = drawn_desired(desired);
        for (i, d) in desired.iter_mut().enumerate() {
            // Sometimes bind to an existing user's id, renaming it to this e-mail.
            if bind[i % bind.len()] && !actual.is_empty() {
                let a = &actual[i % actual.len()];
                if ids.insert(a.id.clone()) && !actual.iter().any(|o| o.key == d.key && o.id != a.id) {
                    d.id = Some(a.id.clone());
                }
            }
        }
        let mut pol = policy();
        if delete { pol.unmanaged = Unmanaged::Delete; }
        let first = plan("t", &desired, &actual, &schema(), &pol);
        let after = execute(&actual, &first);
        let second = plan("t", &desired, &after, &schema(), &pol);
        prop_assert!(!second.has_changes(), "second plan not empty: {:?}", second);
    }
}
