use super::*;
use crate::test_util::stores;
use crate::{StoreError, StudentFilter};
use tokio::task::JoinSet;

/// Concurrent writers wait for each other instead of failing: each of these
/// transactions reads (the class) before it writes (the student), which on
/// SQLite must not end in "database is locked".
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_wait_for_each_other() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let (school, year) = school_with_year(&store, o.department, "THPT Đông Đúc", 2025).await;
        let a1 = class(&store, school, year, "10A1").await;
        let a2 = class(&store, school, year, "10A2").await;
        let mut tasks = JoinSet::new();
        for i in 0..24u32 {
            let store = store.clone();
            tasks.spawn(async move {
                let id = store
                    .create_student(
                        &actor(),
                        school,
                        year,
                        a1,
                        &student(&format!("Học Sinh Số {i}"), false, Some(i + 1)),
                        None,
                    )
                    .await?;
                store.move_student(&actor(), school, year, id, a2).await?;
                // A refused write (rolled back) must not disturb the others.
                let refused = store
                    .transfer_out(
                        &actor(),
                        school,
                        year,
                        id,
                        hocba_domain::Date::new(2025, 9, 9).unwrap(),
                        " ",
                        None,
                    )
                    .await;
                assert!(matches!(refused, Err(StoreError::Refused(_))));
                Ok::<_, StoreError>(id)
            });
        }
        let mut failures = Vec::new();
        while let Some(result) = tasks.join_next().await {
            if let Err(error) = result.expect("task") {
                failures.push(error.to_string());
            }
        }
        assert!(failures.is_empty(), "{e}: {failures:?}");
        let list = store
            .students(
                school,
                year,
                &StudentFilter {
                    class: Some(a2),
                    ..StudentFilter::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(list.len(), 24, "{e}");
    }
}
