//! An S3-protocol server for the object-store suites: moto (`moto_server`), started on a free
//! loopback port for one test process, in memory, with one bucket per test.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use crate::server::{self, free_port, peer_bin, peer_missing, Server};

use strata_writer::storage::StorageOptions;

/// Access key the suites use (moto accepts any).
pub const ACCESS_KEY: &str = "strata-test";
/// Secret the suites use (moto accepts any).
pub const SECRET_KEY: &str = "strata-test-secret";

/// The moto server binary: `$STRATA_MOTO`, else `$HOME/.cache/strata/moto/bin/moto_server`
/// (what `scripts/test.sh` installs).
pub fn moto_bin() -> PathBuf {
    peer_bin("STRATA_MOTO", "moto/bin/moto_server")
}

/// Whether this test must skip because moto is missing ([`peer_missing`]).
pub fn moto_missing() -> bool {
    peer_missing(&moto_bin(), "the S3 server moto")
}

/// A running moto server.
pub struct Moto {
    _server: Server,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
}

/// The process's moto server, started on first use. Statics are not dropped: the server dies
/// with the test process (its wrapper's stdin, a pipe we hold, closes).
pub fn moto() -> &'static Moto {
    static M: OnceLock<Moto> = OnceLock::new();
    M.get_or_init(start)
}

/// Creates bucket `name` at `endpoint` with curl, `auth` its extra arguments.
fn put_bucket(auth: &[&str], endpoint: &str, name: &str) {
    let out = Command::new("curl")
        .args(["-sSf", "-X", "PUT"])
        .args(auth)
        .arg(format!("{endpoint}/{name}"))
        .output()
        .expect("curl runs");
    assert!(
        out.status.success(),
        "creating bucket {name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn start() -> Moto {
    spawn(&[])
}

/// A moto server of its own with its authentication on (every request must carry a valid
/// AWS signature of a key its IAM knows), and that key: the first three requests, made here
/// before authentication applies, create it.
pub struct AuthMoto {
    /// The server.
    pub moto: Moto,
    /// The access key id moto's IAM issued.
    pub access_key: String,
    /// Its secret.
    pub secret_key: String,
}

/// Starts an [`AuthMoto`].
pub fn moto_with_auth() -> AuthMoto {
    let moto = spawn(&[("INITIAL_NO_AUTH_ACTION_COUNT", "3")]);
    let iam = |form: &[&str]| -> String {
        let mut args = vec![
            "-sS".to_string(),
            "-X".into(),
            "POST".into(),
            "-H".into(),
            // moto routes by the credential scope; before auth applies it checks nothing else.
            "Authorization: AWS4-HMAC-SHA256 Credential=setup/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0".into(),
            "--data-urlencode".into(),
            "Version=2010-05-08".into(),
        ];
        for kv in form {
            args.extend(["--data-urlencode".to_string(), (*kv).to_string()]);
        }
        args.push(format!("{}/", moto.endpoint));
        let out = Command::new("curl")
            .args(&args)
            .output()
            .expect("curl runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success() && !text.contains("<Error>"),
            "IAM {form:?}: {text}"
        );
        text
    };
    iam(&["Action=CreateUser", "UserName=strata"]);
    let key = iam(&["Action=CreateAccessKey", "UserName=strata"]);
    iam(&[
        "Action=PutUserPolicy",
        "UserName=strata",
        "PolicyName=s3",
        r#"PolicyDocument={"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    ]);
    let tagged = |tag: &str| {
        let open = format!("<{tag}>");
        let from = key.find(&open).expect("the key in the IAM answer") + open.len();
        let to = from + key[from..].find('<').expect("the tag's end");
        key[from..to].to_string()
    };
    AuthMoto {
        access_key: tagged("AccessKeyId"),
        secret_key: tagged("SecretAccessKey"),
        moto,
    }
}

impl AuthMoto {
    /// Creates bucket `name` with a signed request.
    pub fn bucket(&self, name: &str) {
        let user = format!("{}:{}", self.access_key, self.secret_key);
        put_bucket(
            &[
                // S3 signs the payload's hash too; curl does not add the header itself.
                "-H",
                "x-amz-content-sha256: UNSIGNED-PAYLOAD",
                "--aws-sigv4",
                "aws:amz:us-east-1:s3",
                "--user",
                &user,
            ],
            &self.moto.endpoint,
            name,
        );
    }

    /// `strata` flags that reach this server with `secret` as the key's secret.
    pub fn flags(&self, access_key: &str, secret: &str) -> Vec<String> {
        [
            format!("s3.endpoint={}", self.moto.endpoint),
            format!("s3.access-key={access_key}"),
            format!("s3.secret-key={secret}"),
            "s3.path.style.access=true".to_string(),
        ]
        .into_iter()
        .flat_map(|kv| ["-S".to_string(), kv])
        .collect()
    }
}

fn spawn(env: &[(&str, &str)]) -> Moto {
    let port = free_port();
    let command = format!("\"{}\" -H 127.0.0.1 -p {port}", moto_bin().display());
    let server = server::spawn("moto", &command, port, env);
    Moto {
        endpoint: server.endpoint.clone(),
        _server: server,
    }
}

impl Moto {
    /// Creates a fresh bucket (a PUT on its name) and returns its name.
    pub fn bucket(&self, prefix: &str) -> String {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "{prefix}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        put_bucket(&[], &self.endpoint, &name);
        name
    }

    /// The storage options that reach this server (Paimon's names).
    pub fn options(&self) -> StorageOptions {
        StorageOptions::new([
            ("s3.endpoint", self.endpoint.as_str()),
            ("s3.access-key", ACCESS_KEY),
            ("s3.secret-key", SECRET_KEY),
            ("s3.region", "us-east-1"),
            ("s3.path.style.access", "true"),
        ])
    }

    /// The same settings as `strata` command-line flags.
    pub fn flags(&self) -> Vec<String> {
        [
            format!("s3.endpoint={}", self.endpoint),
            format!("s3.access-key={ACCESS_KEY}"),
            format!("s3.secret-key={SECRET_KEY}"),
            "s3.path.style.access=true".to_string(),
        ]
        .into_iter()
        .flat_map(|kv| ["-S".to_string(), kv])
        .collect()
    }
}
