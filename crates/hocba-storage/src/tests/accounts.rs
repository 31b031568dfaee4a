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
