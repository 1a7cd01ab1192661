//! The command line: `serve`, `demo`, `migrate`, `admin`, `backup`, `audit`, `import`,
//! `export`, `bench`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use futures::FutureExt;

use crate::audit::Actor;
use crate::config::Config;

#[derive(Parser)]
#[command(name = "fazhi", version, about = "法治政府建设平台")]
struct Cli {
    /// Configuration file (TOML); environment variables override it.
    #[arg(long, global = true, env = "FAZHI_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve,
    /// Run the demo city 示范市 on data/demo.db (created and filled on first start).
    Demo {
        /// Start again from an empty demo database.
        #[arg(long)]
        fresh: bool,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// Fill the database and exit without serving.
        #[arg(long)]
        seed_only: bool,
        /// Generate a light history (hundreds instead of tens of thousands of tickets).
        #[arg(long)]
        light: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Write a consistent copy of the SQLite database to FILE while the server runs.
    Backup { file: PathBuf },
    /// The event log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Import data from a CSV or XLSX file (all-or-nothing per file).
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Export data.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Benchmarks (figures go to BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        what: crate::bench::BenchWhat,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a staff account.
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// The unit's code.
        #[arg(long)]
        org: String,
        /// Role, optionally with a scope unit: `dispatcher` or `dept_head@GY-ZJJ`. Repeatable.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Initial password (or set FAZHI_NEW_PASSWORD); the user must change it at first login.
        #[arg(long, env = "FAZHI_NEW_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Issue an API token (also the Open311 `api_key`); prints only the token.
    CreateToken {
        #[arg(long)]
        name: String,
        /// The code of the unit the token acts for.
        #[arg(long)]
        org: String,
        /// A permission, e.g. `hotline_intake`. Repeatable.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        /// Days until it expires (1–366).
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain of the whole event log; report the first broken link.
    Verify,
}

#[derive(Subcommand)]
enum ImportWhat {
    /// The organisation tree.
    Orgs { file: PathBuf },
    /// Records of a feature (`hotline`: historical tickets from a legacy system; columns in
    /// README). All or nothing per file.
    #[command(external_subcommand)]
    Feature(Vec<String>),
}

#[derive(Subcommand)]
enum ExportWhat {
    /// The organisation tree (CSV, or XLSX when FILE ends in .xlsx).
    Orgs { file: PathBuf },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()))
        .with_target(false)
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

fn load_config(path: Option<&PathBuf>) -> anyhow::Result<Config> {
    Config::load(path.map(|p| p.as_path()))
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve => {
            let cfg = load_config(cli.config.as_ref())?;
            tracing::info!(bind = %cfg.server.bind, database = %crate::config::redact_url(&cfg.database.url), "starting fazhi");
            let state = crate::app::start(cfg).await?;
            crate::server::serve(state).await?;
        }
        Command::Demo { fresh, bind, seed_only, light } => {
            let mut cfg = load_config(cli.config.as_ref())?;
            if std::env::var("DATABASE_URL").is_err() && std::env::var("FAZHI_DATABASE_URL").is_err() {
                cfg.database.url = "sqlite://data/demo.db".into();
                if fresh {
                    for suffix in ["", "-wal", "-shm"] {
                        let _ = std::fs::remove_file(format!("data/demo.db{suffix}"));
                    }
                }
            }
            cfg.server.bind = bind;
            cfg.server.demo = true;
            cfg.server.public_url = format!("http://{}", cfg.server.bind);
            if cfg.files.dir == "data/files" {
                cfg.files.dir = "data/demo-files".into();
            }
            cfg.check()?;
            let state = crate::app::start(cfg).await?;
            let seeded = crate::demo::ensure(&state, if light { crate::demo::Size::Light } else { crate::demo::Size::Full }).await?;
            println!();
            println!("  法治政府建设平台 · 演示城市「示范市」{}", if seeded { "（已生成演示数据）" } else { "（沿用已有演示数据）" });
            println!("  地址：     http://{}", state.config.server.bind);
            println!("  群众门户： http://{}/portal", state.config.server.bind);
            println!();
            println!("  演示账号（密码均为 {}）：", crate::demo::DEMO_PASSWORD);
            for (user, role) in state.registry.demo_logins() {
                println!("    {user:<16} {role}");
            }
            println!();
            if seed_only {
                return Ok(ExitCode::SUCCESS);
            }
            crate::server::serve(state).await?;
        }
        Command::Migrate => {
            let cfg = load_config(cli.config.as_ref())?;
            let db = crate::db::Db::connect(&crate::db::ConnectOptions::new(cfg.database.url.clone())).await?;
            let n = crate::db::migrate::run(&db, &crate::app::features().migrations()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("已执行 {n} 个迁移");
        }
        Command::Admin { command: AdminCommand::CreateUser { username, name, org, roles, password } } => {
            let cfg = load_config(cli.config.as_ref())?;
            let state = crate::app::start(cfg).await?;
            if let Err(m) = crate::auth::password::check_policy(&password, &username) {
                anyhow::bail!("密码不符合要求：{m}");
            }
            let hash = crate::auth::password::hash(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
            let input = crate::accounts::queries::UserInput {
                username: username.clone(),
                display_name: name,
                org_code: org,
                phone: None,
                active: true,
                roles: roles
                    .iter()
                    .map(|r| match r.split_once('@') {
                        Some((a, b)) => (a.to_string(), b.to_string()),
                        None => (r.clone(), String::new()),
                    })
                    .collect(),
                password: Some(password),
            };
            let actor = Actor::system();
            let r = state.db.write(move |tx| async move { crate::accounts::queries::create(tx, &actor, &input, hash, true).await }.boxed()).await;
            match r {
                Ok(id) => println!("已创建账号 {username}（编号 {id}），首次登录须修改密码"),
                Err(e) => {
                    eprintln!("未创建：{}", e.user_message());
                    for f in e.field_errors() {
                        eprintln!("  - {}：{}", f.field, f.message);
                    }
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        Command::Admin { command: AdminCommand::CreateToken { name, org, scopes, days } } => {
            let cfg = load_config(cli.config.as_ref())?;
            let state = crate::app::start(cfg).await?;
            let Some(unit) = crate::org::queries::by_code(&state.db, &org).await.map_err(|e| anyhow::anyhow!("{e}"))? else {
                eprintln!("未签发：机构“{org}”不存在");
                return Ok(ExitCode::FAILURE);
            };
            let creator = crate::auth::roles::Grants(vec![]);
            match crate::auth::tokens::create(&state.db, Actor::system(), &creator, &name, Some(unit.id), &scopes, Some(days)).await {
                Ok((_, raw)) => println!("{raw}"),
                Err(e) => {
                    eprintln!("未签发：{}", e.user_message());
                    for f in e.field_errors() {
                        eprintln!("  - {}：{}", f.field, f.message);
                    }
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        Command::Backup { file } => {
            let cfg = load_config(cli.config.as_ref())?;
            let db = crate::db::Db::connect(&crate::db::ConnectOptions::new(cfg.database.url.clone())).await?;
            crate::db::backup::sqlite_backup(&db, &file).await?;
            println!("已写出一致性备份：{}", file.display());
        }
        Command::Audit { command: AuditCommand::Verify } => {
            let cfg = load_config(cli.config.as_ref())?;
            let db = crate::db::Db::connect(&crate::db::ConnectOptions::new(cfg.database.url.clone())).await?;
            match crate::audit::verify(&db).await.map_err(|e| anyhow::anyhow!("{e}"))? {
                crate::audit::Verdict::Intact { events } => println!("事件日志完整：{events} 条事件，哈希链无断裂"),
                crate::audit::Verdict::Broken { seq, problem } => {
                    println!("事件日志被篡改：第一处断链在事件 {seq}。{problem}");
                    return Ok(ExitCode::from(2));
                }
            }
        }
        Command::Import { what } => {
            let cfg = load_config(cli.config.as_ref())?;
            let state = crate::app::start(cfg).await?;
            let (file, result) = match what {
                ImportWhat::Orgs { file } => {
                    let bytes = std::fs::read(&file)?;
                    (
                        file,
                        crate::org::transfer::import(&state.db, Actor::system(), &bytes)
                            .await
                            .map(|r| format!("新建 {} 个、更新 {} 个机构", r.created, r.updated)),
                    )
                }
                ImportWhat::Feature(args) => {
                    let importers = state.registry.importers();
                    let (Some(kind), Some(file), None) = (args.first(), args.get(1), args.get(2)) else {
                        anyhow::bail!("用法：fazhi import <{}> FILE", importers.iter().map(|i| i.code).collect::<Vec<_>>().join("|"));
                    };
                    let Some(imp) = importers.iter().find(|i| i.code == kind) else {
                        anyhow::bail!(
                            "没有“{kind}”导入；可导入：orgs、{}",
                            importers.iter().map(|i| format!("{}（{}）", i.code, i.about)).collect::<Vec<_>>().join("、")
                        );
                    };
                    let file = PathBuf::from(file);
                    let bytes = std::fs::read(&file)?;
                    let r = (imp.run)(&state, &bytes).await;
                    (file, r)
                }
            };
            match result {
                Ok(msg) => println!("{}：{msg}", file.display()),
                Err(errors) => {
                    eprintln!("{} 未导入（未作任何修改），共 {} 处问题：", file.display(), errors.len());
                    for e in errors.iter().take(200) {
                        eprintln!("  第 {} 行 {}：{}", e.row, e.column, e.message);
                    }
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        Command::Export { what: ExportWhat::Orgs { file } } => {
            let cfg = load_config(cli.config.as_ref())?;
            let db = crate::db::Db::connect(&crate::db::ConnectOptions::new(cfg.database.url.clone())).await?;
            let rows = crate::org::transfer::export_rows(&db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let bytes = if file.extension().is_some_and(|e| e == "xlsx") {
                crate::tabular::write_xlsx("机构", &crate::org::transfer::HEADER, &rows).map_err(|e| anyhow::anyhow!("{e}"))?
            } else {
                crate::tabular::write_csv(&crate::org::transfer::HEADER, &rows)
            };
            std::fs::write(&file, bytes)?;
            println!("已导出 {} 个机构到 {}", rows.len(), file.display());
        }
        Command::Bench { what } => {
            crate::bench::run(what, cli.config.as_ref()).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
