//! Drives Debian's Chromium (via playwright-core) through the sample site served on
//! 127.0.0.1. Run with `make browser-test`, which installs Chromium and the npm package.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn marquee() -> Command {
    Command::new(env!("CARGO_BIN_EXE_marquee"))
}

fn ask(out: &Path, question: &str, input: &str) -> Value {
    let output = marquee().args(["ask", question, input, "--json", "--out"]).arg(out).output().unwrap();
    assert!(output.status.success(), "{question}({input})");
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn sample_site_in_headless_chromium() {
    let root = &marquee::foundation::scratch::source_dir();
    let work = marquee::foundation::scratch::ScratchDir::new("browser", "site");
    let out = work.join("output");
    // 20 movies a page, so that the sample's lists (77 dramas at most) have pages to turn.
    let browse_page_size = 20;
    let status = marquee()
        .args(["build", "--data"])
        .arg(root.join("data/sample"))
        .arg("--out")
        .arg(&out)
        .args(["--browse-page-size", &browse_page_size.to_string()])
        .status()
        .unwrap();
    assert!(status.success());

    // One input per question: the bundle's own example, plus accented and aliased spellings.
    let index: Value = serde_json::from_str(&std::fs::read_to_string(out.join("api/index.json")).unwrap()).unwrap();
    let mut questions = Vec::new();
    for q in index["questions"].as_array().unwrap() {
        let name = q["name"].as_str().unwrap();
        let mut inputs = vec![q["example"]["input"].as_str().unwrap().to_string()];
        match name {
            "cantidad_filmaciones_dia" => inputs.push("Miércoles".into()),
            "peliculas_dia" => inputs.push("SÁBADO".into()),
            "cantidad_filmaciones_mes" => inputs.push("Setiembre".into()),
            "score_titulo" => inputs.push("  cinderella ".into()),
            "get_actor" => inputs.push("Declan O'Shea".into()),
            _ => {}
        }
        for input in inputs {
            let answer = ask(&out, name, &input);
            let sentences: Vec<Value> = answer["answers"].as_array().unwrap().iter().map(|a| a["sentence"].clone()).collect();
            questions.push(json!({"question": name, "input": input, "sentences": sentences}));
        }
    }
    let actor = ask(&out, "get_actor", "declan o'shea");
    // The header search starts from a movie page (the first by file name), and the
    // questions page from a director's surname.
    let mut movie_pages: Vec<String> =
        std::fs::read_dir(out.join("movies")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    movie_pages.sort();
    let director =
        index["questions"].as_array().unwrap().iter().find(|q| q["name"] == "get_director").unwrap()["example"]["answers"][0]["director"]
            .clone();
    let expectations = json!({
        "movies": index["counts"]["movies"],
        "questions": questions,
        "movie": "The Golden Split",
        "movie_page": format!("movies/{}", movie_pages[0]),
        "director": director,
        "person": "Declan O'Shea",
        "person_sentence": actor["answers"][0]["sentence"],
        "browse_page_size": browse_page_size,
    });
    let expectations_path = work.join("expectations.json");
    std::fs::write(&expectations_path, expectations.to_string()).unwrap();

    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let _server = Server(
        Command::new("python3")
            .args(["-m", "http.server", &port.to_string(), "--bind", "127.0.0.1", "--directory"])
            .arg(&out)
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3 -m http.server"),
    );
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(10), "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let shots: PathBuf = std::env::var_os("MARQUEE_SCREENSHOTS").map(PathBuf::from).unwrap_or_else(|| work.join("shots"));
    std::fs::create_dir_all(&shots).unwrap();
    let status = Command::new("node")
        .current_dir(root.join("tests/browser"))
        .arg("site.mjs")
        .arg(format!("http://127.0.0.1:{port}"))
        .arg(&expectations_path)
        .arg(&shots)
        .status()
        .expect("node");
    assert!(status.success(), "browser checks failed");
}
