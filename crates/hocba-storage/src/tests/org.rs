use super::*;
use crate::test_util::stores;
use crate::{AuditQuery, StoreError};
use hocba_domain::access::Target;

#[tokio::test]
async fn organisation_tree_ancestors_targets_and_schools_under() {
    for (db, store) in stores().await {
        let e = db.engine;
        assert!(store.is_empty().await.unwrap(), "{e}");
        let o = org(&store).await;
        assert!(!store.is_empty().await.unwrap(), "{e}");

        let direct = school(&store, o.department, "THPT Trần Phú").await;
        let via_bureau = school(&store, o.bureau, "THPT Lê Chân").await;

        // A school straight under the ministry is refused, in Vietnamese.
        let error = store
            .create_school(
                &actor(),
                NewSchool {
                    parent: o.ministry,
                    levels: &[Level::UpperSecondary],
                    profile: &school_profile("THPT Sai Chỗ"),
                },
            )
            .await
            .unwrap_err();
        match &error {
            StoreError::Refused(message) => assert!(
                message.contains("Trường không thể trực thuộc Bộ GD&ĐT")
                    && message.contains("Sở GD&ĐT hoặc Phòng GD&ĐT"),
                "{e}: {message}"
            ),
            other => panic!("{e}: expected Refused, got {other:?}"),
        }
        // Other misplaced units are refused too.
        let error = store
            .create_unit(
                &actor(),
                UnitKind::Bureau,
                Some(o.ministry),
                "Phòng lạc",
                None,
                None,
            )
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::Refused(_)), "{e}: {error:?}");
        let error = store
            .create_unit(
                &actor(),
                UnitKind::Department,
                None,
                "Sở mồ côi",
                None,
                None,
            )
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::Refused(_)), "{e}: {error:?}");
        let error = store
            .create_unit(
                &actor(),
                UnitKind::Bureau,
                Some(UnitId(42)),
                "Phòng ma",
                None,
                None,
            )
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::NotFound(_)), "{e}: {error:?}");
        // Nothing of the refused attempts was written.
        assert_eq!(store.units().await.unwrap().len(), 5, "{e}");

        assert_eq!(store.ancestors(o.ministry).await.unwrap(), vec![], "{e}");
        assert_eq!(
            store.ancestors(o.bureau).await.unwrap(),
            vec![o.department, o.ministry],
            "{e}"
        );
        assert_eq!(
            store.ancestors(direct.into()).await.unwrap(),
            vec![o.department, o.ministry],
            "{e}"
        );
        assert_eq!(
            store.ancestors(via_bureau.into()).await.unwrap(),
            vec![o.bureau, o.department, o.ministry],
            "{e}"
        );
        assert_eq!(
            store.target(via_bureau).await.unwrap(),
            Target {
                school: via_bureau,
                ancestors: vec![o.bureau, o.department, o.ministry],
                class: None,
                subject: None,
                semester: None,
            },
            "{e}"
        );
        assert_eq!(
            store.target(direct).await.unwrap(),
            Target {
                school: direct,
                ancestors: vec![o.department, o.ministry],
                class: None,
                subject: None,
                semester: None,
            },
            "{e}"
        );

        let unit = store.unit(via_bureau.into()).await.unwrap();
        assert_eq!(unit.kind, UnitKind::School, "{e}");
        assert_eq!(unit.parent, Some(o.bureau), "{e}");
        let row = store.school(via_bureau).await.unwrap();
        assert_eq!(row.name, "THPT Lê Chân", "{e}");
        assert_eq!(row.levels, vec![Level::UpperSecondary], "{e}");
        assert_eq!(
            row.parent_name.as_deref(),
            Some("Phòng GD&ĐT Lê Chân"),
            "{e}"
        );
        assert_eq!(row.version, 1, "{e}");

        // A school of another department is not listed.
        let other_department = store
            .create_unit(
                &actor(),
                UnitKind::Department,
                Some(o.ministry),
                "Sở GD&ĐT Hà Nội",
                None,
                None,
            )
            .await
            .unwrap();
        let elsewhere = school(&store, other_department, "THPT Chu Văn An").await;

        let under = store.schools_under(o.department).await.unwrap();
        let names: Vec<&str> = under.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, vec!["THPT Lê Chân", "THPT Trần Phú"], "{e}");
        let ids: Vec<SchoolId> = under.iter().map(|s| s.id).collect();
        assert!(!ids.contains(&elsewhere), "{e}");
        let under_bureau = store.schools_under(o.bureau).await.unwrap();
        assert_eq!(
            under_bureau.iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![via_bureau],
            "{e}"
        );
        let under_other = store.schools_under(other_department).await.unwrap();
        assert_eq!(
            under_other.iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![elsewhere],
            "{e}"
        );
        let by_id = store.schools_by_id(&[direct, elsewhere]).await.unwrap();
        assert_eq!(
            by_id.iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![direct, elsewhere],
            "{e}"
        );
        let error = store.school(SchoolId(o.bureau.0)).await.unwrap_err();
        assert!(matches!(error, StoreError::NotFound(_)), "{e}: {error:?}");
    }
}

#[tokio::test]
async fn school_profile_update_uses_optimistic_versions_and_is_audited() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let id = school(&store, o.department, "THPT Ngô Quyền").await;
        let before = store.school(id).await.unwrap();
        assert_eq!(before.version, 1, "{e}");

        let changed = SchoolProfile::validate(&draft(&[
            ("name", "THPT Ngô Quyền (Hải Phòng)"),
            ("ownership", "Công lập"),
            ("province", "Hải Phòng"),
            ("phone", "0225 3846 123"),
        ]))
        .unwrap();
        store
            .update_school_profile(&actor(), id, before.version, &changed)
            .await
            .expect("save at the current version");
        let after = store.school(id).await.unwrap();
        assert_eq!(after.version, 2, "{e}");
        assert_eq!(after.name, "THPT Ngô Quyền (Hải Phòng)", "{e}");
        assert_eq!(
            after.profile.get("phone").map(String::as_str),
            Some("02253846123"),
            "{e}"
        );
        // The tree shows the new name too.
        assert_eq!(
            store.unit(id.into()).await.unwrap().name,
            "THPT Ngô Quyền (Hải Phòng)",
            "{e}"
        );

        // Saving again at the old version is a conflict and changes nothing.
        let stale = school_profile("THPT Bản Cũ");
        let error = store
            .update_school_profile(&actor(), id, before.version, &stale)
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::Conflict(_)), "{e}: {error:?}");
        assert!(
            error.to_string().contains("vừa được người khác sửa"),
            "{e}: {error}"
        );
        let unchanged = store.school(id).await.unwrap();
        assert_eq!(unchanged.version, 2, "{e}");
        assert_eq!(unchanged.name, "THPT Ngô Quyền (Hải Phòng)", "{e}");

        let trail = store
            .audit_entries(
                id.into(),
                &AuditQuery {
                    entity: Some("school".into()),
                    entity_id: Some(id.0),
                    limit: 0,
                },
            )
            .await
            .unwrap();
        let actions: Vec<&str> = trail.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(actions, vec!["update", "create"], "{e}: {trail:?}");
        let json = |text: &Option<String>| -> serde_json::Value {
            serde_json::from_str(text.as_deref().expect("json present")).expect("valid json")
        };
        let update = &trail[0];
        assert_eq!(json(&update.before)["name"], "THPT Ngô Quyền", "{e}");
        assert_eq!(
            json(&update.after)["name"],
            "THPT Ngô Quyền (Hải Phòng)",
            "{e}"
        );
        assert_eq!(json(&update.after)["phone"], "02253846123", "{e}");
        assert!(json(&update.before).get("phone").is_none(), "{e}");
        assert_eq!(update.actor_name, "Kiểm thử tự động", "{e}");
        let create = &trail[1];
        assert!(create.before.is_none(), "{e}");
        assert_eq!(json(&create.after)["name"], "THPT Ngô Quyền", "{e}");

        // A school that does not exist: NotFound, not a conflict.
        let error = store
            .update_school_profile(&actor(), SchoolId(7), 1, &changed)
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::NotFound(_)), "{e}: {error:?}");
    }
}
