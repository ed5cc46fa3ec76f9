//! A reader that stops early (`synergies deliveries list | head -1`): the command ends quietly,
//! with no panic and no error text, and exit status 0, as `synergies --help` says.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use common::{generate, Sandbox};

/// Deliveries enough for every output below to be far longer than a pipe's buffer (64 KiB on
/// Linux, 1 MiB at most), so that the command is still writing when the reader goes.
const DELIVERIES: usize = 20_000;
const LONG: usize = 1 << 20;

/// The demo with the benchmark's agreements and their deliveries, accepted.
fn prepare(sb: &Sandbox) {
    sb.ok(&["demo", "--no-serve"]);
    generate(sb, 4, DELIVERIES);
    sb.ok(&["agreements", "import", "agreements.json"]);
    sb.ok(&["deliveries", "import", "deliveries.csv"]);
}

/// Runs `args` with standard output on a pipe, reads one line, closes the pipe and returns
/// the line, the exit code and what was said on standard error.
fn read_one_line(sb: &Sandbox, args: &[&str]) -> (String, Option<i32>, String) {
    let mut child = sb
        .command()
        .arg("--db")
        .arg(&sb.db)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run synergies");
    let mut line = String::new();
    {
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        out.read_line(&mut line).expect("read one line");
        // Dropping the reader closes the pipe's only reading end.
    }
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    let status = child.wait().expect("wait");
    (line, status.code(), stderr)
}

#[test]
fn a_reader_that_stops_early_ends_the_command_quietly_with_status_0() {
    let sb = Sandbox::new();
    prepare(&sb);
    let commands: &[&[&str]] = &[
        &["deliveries", "list"],
        &["deliveries", "list", "--json"],
        &["export", "deliveries", "--format", "csv"],
        &["export", "deliveries", "--format", "json"],
    ];
    for args in commands {
        // The whole output is long: the reader below stops while the command still writes.
        let whole = sb.ok(args).stdout;
        assert!(
            whole.len() > LONG,
            "`synergies {}` prints only {} bytes: too short to test a closed pipe",
            args.join(" "),
            whole.len()
        );
        let (line, code, stderr) = read_one_line(&sb, args);
        assert_eq!(
            line,
            whole.lines().next().map(|l| format!("{l}\n")).unwrap(),
            "`synergies {}` did not start with its usual first line",
            args.join(" ")
        );
        assert!(
            stderr.is_empty(),
            "`synergies {}` said something on standard error when its reader stopped:\n{stderr}",
            args.join(" ")
        );
        assert_eq!(
            code,
            Some(0),
            "`synergies {}` did not exit 0 when its reader stopped; stderr:\n{stderr}",
            args.join(" ")
        );
    }
    // A short output closed after its first line ends the same way (its remaining lines may
    // or may not have been written by then).
    let (line, code, stderr) = read_one_line(&sb, &["status"]);
    assert!(!line.is_empty());
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn the_help_states_the_exit_status_of_a_closed_output() {
    let sb = Sandbox::new();
    let help = sb.run_raw(&["--help"]).ok().stdout;
    let squashed = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        squashed.contains("Exit status: 0 when the command did its work, and also when the program reading its output stops early"),
        "the help does not say how a closed output ends:\n{help}"
    );
}

/// The same shell pipeline a user types, `synergies status | head -n1`, under `pipefail`.
#[test]
fn status_piped_into_head_exits_0() {
    let sb = Sandbox::new();
    sb.ok(&["demo", "--no-serve"]);
    let out = Command::new("bash")
        .arg("-c")
        .arg(r#"set -o pipefail; "$0" --db "$1" deliveries list | head -n1 && "$0" --db "$1" status | head -n1"#)
        .arg(common::BIN)
        .arg(&sb.db)
        .current_dir(sb.dir.path())
        .output()
        .expect("bash");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("error"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
}
