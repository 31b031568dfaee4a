use super::*;
use crate::test_util::stores;
use crate::{NewAccount, SessionKind, StoreError, now_millis};
use hocba_domain::Role;
use hocba_domain::role::RoleGrant;

#[tokio::test]
async fn accounts_grants_and_sessions() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let school = school(&store, o.department, "THPT Quang Trung").await;
        let teacher = staff(&store, school, "Nghiêm Thị Thu Hương").await;
        let grants = [
            RoleGrant {
                role: Role::SubjectTeacher,
                unit: school.into(),
            },
            RoleGrant {
                role: Role::Admin,
                unit: school.into(),
            },
        ];
        let user = store
            .create_account(
                &actor(),
                &NewAccount {
                    username: "  ThuHuong.Nghiem ",
                    password_hash: "$argon2id$hash-1",
                    display_name: "Nghiêm  Thị Thu Hương",
                    home_unit: school.into(),
                    staff: Some(teacher),
                    grants: &grants,
                    must_change_password: true,
                },
            )
            .await
            .unwrap();

        for username in ["thuhuong.nghiem", "THUHUONG.NGHIEM", " ThuHuong.Nghiem"] {
            let account = store
                .account_by_username(username)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{e}: {username:?} not found"));
            assert_eq!(account.id, user, "{e}");
            assert_eq!(account.username, "thuhuong.nghiem", "{e}");
            assert_eq!(account.display_name, "Nghiêm Thị Thu Hương", "{e}");
            assert_eq!(account.home_unit, UnitId::from(school), "{e}");
            assert_eq!(account.staff_id, Some(teacher), "{e}");
            assert!(account.must_change_password && !account.disabled, "{e}");
            assert_eq!(account.password_hash, "$argon2id$hash-1", "{e}");
            let mut got = account.grants.clone();
            got.sort_by_key(|g| g.role);
            assert_eq!(got, vec![grants[1], grants[0]], "{e}");
        }
        assert!(
            store.account_by_username("nobody").await.unwrap().is_none(),
            "{e}"
        );
        assert_eq!(
            store.account(user).await.unwrap().username,
            "thuhuong.nghiem",
            "{e}"
        );
        let error = store.account(UserId(3)).await.unwrap_err();
        assert!(matches!(error, StoreError::NotFound(_)), "{e}: {error:?}");
        let in_school = store.accounts_in_unit(school.into()).await.unwrap();
        assert_eq!(
            in_school.iter().map(|a| a.id).collect::<Vec<_>>(),
            vec![user],
            "{e}"
        );
        assert!(
            store
                .accounts_in_unit(o.department)
                .await
                .unwrap()
                .is_empty(),
            "{e}"
        );

        // Usernames are unique whatever the case; bad ones are refused.
        let duplicate = NewAccount {
            username: "THUHUONG.NGHIEM",
            password_hash: "x",
            display_name: "Người khác",
            home_unit: school.into(),
            staff: None,
            grants: &[],
            must_change_password: false,
        };
        let error = store
            .create_account(&actor(), &duplicate)
            .await
            .unwrap_err();
        match &error {
            StoreError::Refused(message) => {
                assert!(
                    message.contains("“thuhuong.nghiem” đã có người dùng"),
                    "{e}: {message}"
                )
            }
            other => panic!("{e}: expected Refused, got {other:?}"),
        }
        for bad in ["ab", "thu hương", "a@b.c"] {
            let error = store
                .create_account(
                    &actor(),
                    &NewAccount {
                        username: bad,
                        ..duplicate
                    },
                )
                .await
                .unwrap_err();
            assert!(
                matches!(error, StoreError::Refused(_)),
                "{e}: {bad:?}: {error:?}"
            );
        }
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM app_user")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(count, 1, "{e}");

        // Sessions: live ones are returned, expired ones are not.
        let now = now_millis();
        store
            .create_session(
                "hash-live",
                user,
                SessionKind::Browser,
                "csrf-1",
                now + 3_600_000,
            )
            .await
            .unwrap();
        store
            .create_session(
                "hash-api",
                user,
                SessionKind::Api,
                "csrf-2",
                now + 3_600_000,
            )
            .await
            .unwrap();
        store
            .create_session("hash-old", user, SessionKind::Browser, "csrf-3", now - 1)
            .await
            .unwrap();
        let live = store
            .session("hash-live")
            .await
            .unwrap()
            .expect("live session");
        assert_eq!(live.user_id, user, "{e}");
        assert_eq!(live.kind, SessionKind::Browser, "{e}");
        assert_eq!(live.csrf_token, "csrf-1", "{e}");
        assert_eq!(live.expires_at, now + 3_600_000, "{e}");
        assert_eq!(
            store.session("hash-api").await.unwrap().map(|s| s.kind),
            Some(SessionKind::Api),
            "{e}"
        );
        assert!(
            store.session("hash-old").await.unwrap().is_none(),
            "{e}: expired"
        );
        assert!(store.session("hash-none").await.unwrap().is_none(), "{e}");
        store.delete_session("hash-api").await.unwrap();
        assert!(store.session("hash-api").await.unwrap().is_none(), "{e}");

        // A new password ends every session.
        store
            .set_password(&actor(), user, "$argon2id$hash-2", false, school.into())
            .await
            .unwrap();
        assert!(store.session("hash-live").await.unwrap().is_none(), "{e}");
        let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM session WHERE user_id = $1")
            .bind(user.0)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(sessions, 0, "{e}");
        let account = store.account(user).await.unwrap();
        assert_eq!(account.password_hash, "$argon2id$hash-2", "{e}");
        assert!(!account.must_change_password, "{e}");
    }
}

/// `session_user` answers in one statement what `session`, `account`,
/// `homeroom_classes_of` and `teaching_assignments_of` answer, and caches
/// nothing: a removed assignment or grant is gone from the next call.
#[tokio::test]
async fn session_user_is_one_statement_and_sees_every_change() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let (school, year) = school_with_year(&store, o.department, "THPT Trần Phú", 2025).await;
        let a1 = class(&store, school, year, "10A1").await;
        let a2 = class(&store, school, year, "10A2").await;
        let subjects = store
            .subjects(school, year, Some(Grade::new(10).unwrap()))
            .await
            .unwrap();
        let (math, literature) = (subjects[0].id, subjects[1].id);
        let teacher = staff(&store, school, "Phan Thị Lan").await;
        let colleague = staff(&store, school, "Võ Văn Tâm").await;
        let grants = [
            RoleGrant {
                role: Role::SubjectTeacher,
                unit: school.into(),
            },
            RoleGrant {
                role: Role::HomeroomTeacher,
                unit: school.into(),
            },
        ];
        let user = store
            .create_account(
                &actor(),
                &NewAccount {
                    username: "lan.phan",
                    password_hash: "$argon2id$hash-lan",
                    display_name: "Phan Thị Lan",
                    home_unit: school.into(),
                    staff: Some(teacher),
                    grants: &grants,
                    must_change_password: false,
                },
            )
            .await
            .unwrap();
        store
            .assign_teaching(&actor(), school, year, 1, a1, math, teacher)
            .await
            .unwrap();
        store
            .assign_teaching(&actor(), school, year, 2, a2, literature, teacher)
            .await
            .unwrap();
        store
            .assign_homeroom(&actor(), school, year, a2, teacher)
            .await
            .unwrap();
        let now = now_millis();
        store
            .create_session("hash-lan", user, SessionKind::Api, "csrf-lan", now + 60_000)
            .await
            .unwrap();
        store
            .create_session(
                "hash-lan-old",
                user,
                SessionKind::Browser,
                "csrf-x",
                now - 1,
            )
            .await
            .unwrap();

        let found = store
            .session_user("hash-lan")
            .await
            .unwrap()
            .expect("live session");
        let session = store.session("hash-lan").await.unwrap().unwrap();
        assert_eq!(found.session.user_id, session.user_id, "{e}");
        assert_eq!(found.session.kind, SessionKind::Api, "{e}");
        assert_eq!(found.session.csrf_token, "csrf-lan", "{e}");
        assert_eq!(found.session.expires_at, session.expires_at, "{e}");
        let account = store.account(user).await.unwrap();
        assert_eq!(found.account.username, account.username, "{e}");
        assert_eq!(found.account.display_name, account.display_name, "{e}");
        assert_eq!(found.account.home_unit, account.home_unit, "{e}");
        assert_eq!(found.account.staff_id, Some(teacher), "{e}");
        assert_eq!(found.account.password_hash, account.password_hash, "{e}");
        assert!(
            !found.account.disabled && !found.account.must_change_password,
            "{e}"
        );
        let mut expected_grants = account.grants.clone();
        expected_grants.sort_by_key(|g| g.role.code());
        assert_eq!(found.account.grants, expected_grants, "{e}");
        assert_eq!(found.account.grants.len(), 2, "{e}");
        assert_eq!(found.homeroom_classes, vec![a2], "{e}");
        assert_eq!(
            found.homeroom_classes,
            store.homeroom_classes_of(school, teacher).await.unwrap(),
            "{e}"
        );
        let mut teaching = found.teaching.clone();
        teaching.sort_by_key(|t| (t.semester.number(), t.class.0));
        assert_eq!(
            teaching
                .iter()
                .map(|t| (t.class, t.subject, t.semester.number()))
                .collect::<Vec<_>>(),
            vec![(a1, math, 1), (a2, literature, 2)],
            "{e}"
        );
        assert_eq!(
            teaching.len(),
            store
                .teaching_assignments_of(school, teacher)
                .await
                .unwrap()
                .len(),
            "{e}"
        );

        // Expired and unknown sessions resolve to no one.
        assert!(
            store.session_user("hash-lan-old").await.unwrap().is_none(),
            "{e}"
        );
        assert!(
            store.session_user("hash-none").await.unwrap().is_none(),
            "{e}"
        );

        // An assignment given to a colleague, a homeroom taken over and a
        // grant revoked are gone from the very next call.
        store
            .assign_teaching(&actor(), school, year, 1, a1, math, colleague)
            .await
            .unwrap();
        store
            .assign_homeroom(&actor(), school, year, a2, colleague)
            .await
            .unwrap();
        sqlx::query("DELETE FROM role_grant WHERE user_id = $1 AND role = $2")
            .bind(user.0)
            .bind(Role::HomeroomTeacher.code())
            .execute(store.pool())
            .await
            .unwrap();
        let found = store.session_user("hash-lan").await.unwrap().unwrap();
        assert_eq!(
            found
                .teaching
                .iter()
                .map(|t| (t.class, t.subject, t.semester.number()))
                .collect::<Vec<_>>(),
            vec![(a2, literature, 2)],
            "{e}"
        );
        assert!(found.homeroom_classes.is_empty(), "{e}");
        assert_eq!(found.account.grants, vec![grants[0]], "{e}");

        // An account without a staff record has no assignments.
        let admin = store
            .create_account(
                &actor(),
                &NewAccount {
                    username: "admin.tranphu",
                    password_hash: "$argon2id$hash-admin",
                    display_name: "Quản trị",
                    home_unit: school.into(),
                    staff: None,
                    grants: &[RoleGrant {
                        role: Role::Admin,
                        unit: school.into(),
                    }],
                    must_change_password: true,
                },
            )
            .await
            .unwrap();
        store
            .create_session(
                "hash-admin",
                admin,
                SessionKind::Browser,
                "csrf-a",
                now + 60_000,
            )
            .await
            .unwrap();
        let found = store.session_user("hash-admin").await.unwrap().unwrap();
        assert_eq!(found.account.staff_id, None, "{e}");
        assert!(found.account.must_change_password, "{e}");
        assert_eq!(found.session.kind, SessionKind::Browser, "{e}");
        assert!(
            found.homeroom_classes.is_empty() && found.teaching.is_empty(),
            "{e}"
        );
        assert_eq!(found.account.grants.len(), 1, "{e}");
    }
}
