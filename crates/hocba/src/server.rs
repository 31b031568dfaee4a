//! Serving the web application.

use hocba_storage::Store;
use hocba_web::{AppState, router};
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// Binds `listen` and serves until the process is stopped.
pub async fn serve(
    store: Store,
    listen: &str,
    secure_cookies: bool,
    signing_providers: Vec<String>,
) -> anyhow::Result<()> {
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e} (is another program using the port? try --listen 127.0.0.1:8081)"))?;
    tracing::info!("hocba listening on http://{}", listener.local_addr()?);
    let state = AppState::new(store, secure_cookies).with_signing_providers(signing_providers);
    run(listener, state).await
}

async fn run(listener: TcpListener, state: AppState) -> anyhow::Result<()> {
    let app = router(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

/// Serves on a free loopback port in the background; for tests. The
/// stand-in remote signing service of the tests runs on loopback too, so
/// loopback is the one signing provider allowed.
pub async fn spawn(store: Store) -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        let state =
            AppState::new(store, false).with_signing_providers(vec!["http://127.0.0.1".into()]);
        let app = router(state);
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    Ok(address)
}
