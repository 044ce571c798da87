//! A hostile peer, for tests only: it speaks the baraza protocols well
//! enough to be let in (same network id, gossipsub on the objects topic,
//! `/baraza/sync/1`) and then sends garbage, forged objects, oversized
//! messages, floods and malformed sync frames.

use std::time::Duration;

use async_trait::async_trait;
use baraza_node::p2p::behaviour::{objects_topic, protocol_version};
use baraza_node::p2p::codec::SYNC_PROTOCOL;
use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, StreamExt};
use libp2p::gossipsub::{self, MessageAuthenticity, ValidationMode};
use libp2p::request_response::{self, ProtocolSupport};
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{identify, Multiaddr, PeerId, StreamProtocol};

/// Writes requests as raw bytes (length prefix included, if any) and reads
/// whatever comes back (bounded).
#[derive(Debug, Clone, Copy, Default)]
struct RawCodec;

#[async_trait]
impl request_response::Codec for RawCodec {
    type Protocol = StreamProtocol;
    type Request = Vec<u8>;
    type Response = Vec<u8>;

    async fn read_request<T: AsyncRead + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> std::io::Result<Vec<u8>> {
        read_bounded(io, 1 << 20).await
    }

    async fn read_response<T: AsyncRead + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> std::io::Result<Vec<u8>> {
        read_bounded(io, 8 << 20).await
    }

    async fn write_request<T: AsyncWrite + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        req: Vec<u8>,
    ) -> std::io::Result<()> {
        write_and_close(io, &req).await
    }

    async fn write_response<T: AsyncWrite + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        res: Vec<u8>,
    ) -> std::io::Result<()> {
        write_and_close(io, &res).await
    }
}

async fn read_bounded<T: AsyncRead + Unpin + Send>(
    io: &mut T,
    limit: u64,
) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    io.take(limit).read_to_end(&mut out).await?;
    Ok(out)
}

async fn write_and_close<T: AsyncWrite + Unpin + Send>(
    io: &mut T,
    bytes: &[u8],
) -> std::io::Result<()> {
    io.write_all(bytes).await?;
    io.close().await
}

#[derive(NetworkBehaviour)]
struct Hostile {
    identify: identify::Behaviour,
    gossipsub: gossipsub::Behaviour,
    sync: request_response::Behaviour<RawCodec>,
}

/// What the hostile peer managed to send.
#[derive(Debug, Default)]
pub struct Attack {
    /// Its peer id.
    pub peer: String,
    /// Gossip messages the local gossipsub accepted for sending.
    pub published: usize,
    /// Sync requests sent.
    pub sync_requests: usize,
    /// Whether the target closed the connection by the end.
    pub disconnected: bool,
}

/// What a hostile peer sends.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Payloads published on the objects topic.
    pub gossip: Vec<Vec<u8>>,
    /// Each payload is sent this many times, with a counter appended to
    /// every copy after the first so each is a new message.
    pub flood: usize,
    /// Raw frames sent as sync requests.
    pub frames: Vec<Vec<u8>>,
    /// Pause after each frame (zero: queue them all at once).
    pub frame_gap: Duration,
    /// How long to wait after joining the topic before publishing.
    pub settle: Duration,
    /// The most to linger after sending, waiting for the target to hang up.
    pub linger: Duration,
}

impl Default for Plan {
    fn default() -> Self {
        Plan {
            gossip: Vec::new(),
            flood: 1,
            frames: Vec::new(),
            frame_gap: Duration::from_millis(50),
            settle: Duration::from_secs(2),
            linger: Duration::from_secs(3),
        }
    }
}

/// Connects to `target` on `network` under a new identity, then carries
/// out `plan`. Returns once the target disconnects, or after `plan.linger`.
pub fn attack(target: &str, network: &str, plan: &Plan) -> Attack {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(target, network, plan))
}

async fn run(target: &str, network: &str, plan: &Plan) -> Attack {
    let target: Multiaddr = target.parse().expect("target multiaddr");
    let topic = objects_topic(network);
    let version = protocol_version(network);
    let mut swarm = libp2p::SwarmBuilder::with_new_identity()
        .with_tokio()
        .with_tcp(
            libp2p::tcp::Config::default(),
            libp2p::noise::Config::new,
            libp2p::yamux::Config::default,
        )
        .expect("tcp")
        .with_behaviour(|key| {
            let config = gossipsub::ConfigBuilder::default()
                .validation_mode(ValidationMode::Permissive)
                .max_transmit_size(16 << 20)
                .heartbeat_interval(Duration::from_millis(200))
                .build()
                .expect("gossipsub config");
            let mut gossipsub =
                gossipsub::Behaviour::new(MessageAuthenticity::Signed(key.clone()), config)
                    .expect("gossipsub");
            gossipsub.subscribe(&topic).expect("subscribe");
            Hostile {
                identify: identify::Behaviour::new(identify::Config::new(
                    version.clone(),
                    key.public(),
                )),
                gossipsub,
                sync: request_response::Behaviour::with_codec(
                    RawCodec,
                    [(SYNC_PROTOCOL, ProtocolSupport::Full)],
                    request_response::Config::default(),
                ),
            }
        })
        .expect("behaviour")
        .build();
    let mut report = Attack {
        peer: swarm.local_peer_id().to_string(),
        ..Attack::default()
    };
    swarm.dial(target).expect("dial");
    // Wait until the target is subscribed to the topic from our side's view.
    let mut target_peer: Option<PeerId> = None;
    let ready = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match swarm.select_next_some().await {
                SwarmEvent::ConnectionEstablished { peer_id, .. } => target_peer = Some(peer_id),
                SwarmEvent::Behaviour(HostileEvent::Gossipsub(gossipsub::Event::Subscribed {
                    ..
                })) => return,
                _ => {}
            }
        }
    })
    .await;
    assert!(ready.is_ok(), "the hostile peer never joined the topic");
    let peer = target_peer.expect("connected");
    // Let the mesh form (GRAFT on the next heartbeat).
    pump(&mut swarm, plan.settle).await;
    let flood = plan.flood;
    for (i, payload) in plan.gossip.iter().enumerate() {
        for n in 0..flood.max(1) {
            let mut data = payload.clone();
            if n > 0 {
                data.extend_from_slice(&(i * flood + n).to_be_bytes());
            }
            if swarm
                .behaviour_mut()
                .gossipsub
                .publish(topic.clone(), data)
                .is_ok()
            {
                report.published += 1;
            }
        }
        pump(&mut swarm, Duration::from_millis(50)).await;
    }
    for frame in &plan.frames {
        swarm
            .behaviour_mut()
            .sync
            .send_request(&peer, frame.clone());
        report.sync_requests += 1;
        if !plan.frame_gap.is_zero() {
            pump(&mut swarm, plan.frame_gap).await;
        }
    }
    // Linger until the target hangs up, or for at most `linger`.
    let _ = tokio::time::timeout(plan.linger, async {
        while swarm.is_connected(&peer) {
            swarm.select_next_some().await;
        }
    })
    .await;
    report.disconnected = !swarm.is_connected(&peer);
    report
}

async fn pump(swarm: &mut libp2p::Swarm<Hostile>, for_: Duration) {
    let _ = tokio::time::timeout(for_, async {
        loop {
            swarm.select_next_some().await;
        }
    })
    .await;
}
