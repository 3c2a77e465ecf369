//! What the ranker knows about a (movie, candidate) pair, and the reasons a person can
//! read for a recommendation.

use std::collections::HashMap;

use super::MovieDoc;
use super::ratings::{jaccard, shared, shrunk_cosine};
use super::tfidf::SparseRows;
use crate::settings::{REASON_KEYWORDS, SHARED_CAST};

/// The names a movie is compared on, as interned ids, sorted.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub collection: Option<u32>,
    pub genres: Vec<u32>,
    pub directors: Vec<u32>,
    /// The top-billed `SHARED_CAST`.
    pub cast: Vec<u32>,
    pub keywords: Vec<u32>,
}

/// Every movie's facts, and the names behind the ids (for the reasons).
#[derive(Clone)]
pub struct Catalogue<'a> {
    pub docs: &'a [MovieDoc],
    pub facts: Vec<Facts>,
    pub names: Vec<&'a str>,
}

/// What a name is: the same text may be a keyword and a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Collection,
    Genre,
    Director,
    Cast,
    Keyword,
}

impl<'a> Catalogue<'a> {
    /// Interns names in document order, so ids are the same on every run.
    pub fn new(docs: &'a [MovieDoc]) -> Catalogue<'a> {
        let mut ids: HashMap<(Kind, &'a str), u32> = HashMap::new();
        let mut names: Vec<&'a str> = Vec::new();
        let mut intern = |kind: Kind, name: &'a str| -> u32 {
            *ids.entry((kind, name)).or_insert_with(|| {
                names.push(name);
                names.len() as u32 - 1
            })
        };
        let mut facts = Vec::with_capacity(docs.len());
        for d in docs {
            let mut cast: Vec<&'a str> = Vec::new();
            for name in &d.cast {
                if cast.len() < SHARED_CAST && !cast.contains(&name.as_str()) {
                    cast.push(name);
                }
            }
            let collection = d.collection.as_deref().map(|c| intern(Kind::Collection, c));
            let mut set = |kind: Kind, list: &mut dyn Iterator<Item = &'a str>| -> Vec<u32> {
                let mut v: Vec<u32> = list.map(|n| intern(kind, n)).collect();
                v.sort_unstable();
                v.dedup();
                v
            };
            let genres = set(Kind::Genre, &mut d.genres.iter().map(String::as_str));
            let directors = set(Kind::Director, &mut d.directors.iter().map(String::as_str));
            let cast = set(Kind::Cast, &mut cast.into_iter());
            let keywords = set(Kind::Keyword, &mut d.keywords.iter().map(String::as_str));
            facts.push(Facts { collection, genres, directors, cast, keywords });
        }
        Catalogue { docs, facts, names }
    }
}

/// The ranker's inputs, in order. `COLLABORATIVE` marks the ones that come from ratings.
pub const FEATURES: &[&str] = &[
    "content cosine",
    "co-rater cosine (shrunk)",
    "log co-raters",
    "same collection",
    "shared directors",
    "shared top cast",
    "log shared keywords",
    "genre overlap (Jaccard)",
    "year gap (decades, capped at 5)",
    "runtime ratio",
    "candidate is feature length",
    "candidate log TMDB votes",
    "candidate vote average / 10",
    "candidate log popularity",
    "co-rater overlap (Jaccard)",
];
pub const WIDTH: usize = 15;
pub const COLLABORATIVE: [usize; 3] = [1, 2, 14];

/// The ids two sorted lists share, for naming them (`shared` only counts).
fn common(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// Dot product of two L2-normalised sparse rows: their cosine.
pub fn cosine(m: &SparseRows, a: usize, b: usize) -> f64 {
    let ((ia, va), (ib, vb)) = (m.row(a), m.row(b));
    let (mut i, mut j, mut dot) = (0, 0, 0.0f64);
    while i < ia.len() && j < ib.len() {
        match ia[i].cmp(&ib[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += f64::from(va[i]) * f64::from(vb[j]);
                i += 1;
                j += 1;
            }
        }
    }
    dot
}

/// One row of the TF-IDF matrix spread out over every term, so its cosine with many
/// other rows costs one pass over each of them instead of a merge of two lists.
pub struct DenseRow {
    weights: Vec<f32>,
    terms: Vec<u32>,
}

impl DenseRow {
    pub fn new(m: &SparseRows) -> DenseRow {
        DenseRow { weights: vec![0.0; m.n_cols], terms: Vec::new() }
    }

    /// Makes this row `a` of `m`.
    pub fn load(&mut self, m: &SparseRows, a: usize) {
        for &t in &self.terms {
            self.weights[t as usize] = 0.0;
        }
        let (terms, values) = m.row(a);
        for (&t, &v) in terms.iter().zip(values) {
            self.weights[t as usize] = v;
        }
        self.terms.clear();
        self.terms.extend_from_slice(terms);
    }

    /// The same value as [`cosine`]: the shared terms in the same (ascending) order,
    /// the same products (weights are never 0, so a 0 here means "not in the row").
    pub fn cosine(&self, m: &SparseRows, b: usize) -> f64 {
        let (terms, values) = m.row(b);
        let mut dot = 0.0f64;
        for (&t, &v) in terms.iter().zip(values) {
            let w = self.weights[t as usize];
            if w != 0.0 {
                dot += f64::from(w) * f64::from(v);
            }
        }
        dot
    }
}

/// The features of recommending `b` for `a`. `raters` are the users whose ratings
/// the collaborative features may use (empty lists: no signal); their cosine is
/// shrunk by `shrink`.
pub fn pair(catalogue: &Catalogue<'_>, content: &SparseRows, raters: &[Vec<u32>], shrink: f64, a: usize, b: usize) -> [f64; WIDTH] {
    pair_with_cosine(catalogue, cosine(content, a, b), raters, shrink, a, b)
}

/// [`pair`] with the content cosine already known.
pub fn pair_with_cosine(
    catalogue: &Catalogue<'_>,
    content_cosine: f64,
    raters: &[Vec<u32>],
    shrink: f64,
    a: usize,
    b: usize,
) -> [f64; WIDTH] {
    let (fa, fb) = (&catalogue.facts[a], &catalogue.facts[b]);
    let (da, db) = (&catalogue.docs[a], &catalogue.docs[b]);
    let co = shared(&raters[a], &raters[b]);
    let year_gap = match (da.release_year, db.release_year) {
        (Some(x), Some(y)) => ((x - y).abs() as f64 / 10.0).min(5.0),
        _ => 2.5,
    };
    let runtime_ratio = match (da.runtime, db.runtime) {
        (Some(x), Some(y)) if x > 0.0 && y > 0.0 => x.min(y) / x.max(y),
        _ => 0.0,
    };
    [
        content_cosine,
        shrunk_cosine(co, raters[a].len(), raters[b].len(), shrink),
        (co as f64).ln_1p(),
        f64::from(fa.collection.is_some() && fa.collection == fb.collection),
        shared(&fa.directors, &fb.directors).min(2) as f64,
        shared(&fa.cast, &fb.cast) as f64,
        (shared(&fa.keywords, &fb.keywords) as f64).ln_1p(),
        jaccard(&fa.genres, &fb.genres),
        year_gap,
        runtime_ratio,
        f64::from(db.runtime.is_some_and(|r| r >= 60.0)),
        db.vote_count.max(0.0).ln_1p(),
        db.vote_average.clamp(0.0, 10.0) / 10.0,
        db.popularity.max(0.0).ln_1p(),
        // Jaccard from the co-raters already counted.
        if co == 0 { 0.0 } else { co as f64 / (raters[a].len() + raters[b].len() - co) as f64 },
    ]
}

/// Why `b` is recommended for `a`, in Spanish, strongest first (at most three).
pub fn reasons(catalogue: &Catalogue<'_>, a: usize, b: usize, co_raters: usize) -> Vec<String> {
    let (fa, fb) = (&catalogue.facts[a], &catalogue.facts[b]);
    let names = |ids: &[u32]| -> Vec<&str> {
        let mut v: Vec<&str> = ids.iter().map(|&i| catalogue.names[i as usize]).collect();
        v.sort_unstable();
        v
    };
    let mut out = Vec::new();
    if fa.collection.is_some() && fa.collection == fb.collection {
        out.push("misma colección".to_string());
    }
    let directors = common(&fa.directors, &fb.directors);
    if !directors.is_empty() {
        out.push(format!("mismo director: {}", names(&directors).join(", ")));
    }
    if co_raters >= crate::settings::REASON_CO_RATERS {
        out.push("quienes la vieron también vieron esta".to_string());
    }
    let cast = common(&fa.cast, &fb.cast);
    if !cast.is_empty() {
        out.push(format!("mismo reparto: {}", names(&cast).join(", ")));
    }
    let keywords = common(&fa.keywords, &fb.keywords);
    if !keywords.is_empty() {
        let shown: Vec<&str> = names(&keywords).into_iter().take(REASON_KEYWORDS).collect();
        out.push(format!("palabras clave en común: {}", shown.join(", ")));
    }
    let genres = common(&fa.genres, &fb.genres);
    if out.is_empty() && !genres.is_empty() {
        out.push(format!("mismos géneros: {}", names(&genres).join(", ")));
    }
    if out.is_empty() {
        out.push("popular entre el público".to_string());
    }
    out.truncate(3);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: i64, collection: Option<&str>, directors: &[&str], keywords: &[&str]) -> MovieDoc {
        MovieDoc {
            id,
            collection: collection.map(str::to_owned),
            directors: directors.iter().map(|s| s.to_string()).collect(),
            keywords: keywords.iter().map(|s| s.to_string()).collect(),
            genres: vec!["Animation".into()],
            ..Default::default()
        }
    }

    #[test]
    fn reasons_name_what_the_movies_share() {
        let docs = vec![
            doc(1, Some("Toy Story Collection"), &["John Lasseter"], &["toy", "friendship", "rivalry"]),
            doc(2, Some("Toy Story Collection"), &["John Lasseter"], &["toy", "friendship"]),
            doc(3, None, &["Someone Else"], &[]),
        ];
        let catalogue = Catalogue::new(&docs);
        let why = reasons(&catalogue, 0, 1, 40);
        assert_eq!(why, ["misma colección", "mismo director: John Lasseter", "quienes la vieron también vieron esta"]);
        assert_eq!(reasons(&catalogue, 0, 2, 0), ["mismos géneros: Animation"]);
        // A keyword spelled like a collection is still only a keyword.
        let keyword_only = doc(4, None, &[], &["Toy Story Collection"]);
        let docs2 = vec![docs[0].clone(), keyword_only];
        assert!(reasons(&Catalogue::new(&docs2), 0, 1, 0).iter().all(|r| !r.contains("colección")));
    }

    #[test]
    fn a_dense_row_gives_the_merged_cosine_bit_for_bit() {
        let m = SparseRows {
            n_cols: 6,
            indptr: vec![0, 3, 5, 7, 7],
            indices: vec![0, 2, 5, 2, 5, 1, 3],
            values: vec![0.3, 0.7, 0.648_074, 0.1, 0.994_987, 0.6, 0.8],
            vocabulary: (0..6).map(|t| t.to_string()).collect(),
        };
        let mut dense = DenseRow::new(&m);
        for a in 0..4 {
            dense.load(&m, a);
            for b in 0..4 {
                assert_eq!(dense.cosine(&m, b).to_bits(), cosine(&m, a, b).to_bits(), "rows {a} and {b}");
            }
        }
        dense.load(&m, 3);
        assert_eq!(dense.cosine(&m, 0), 0.0, "an empty row leaves nothing of the row before");
    }

    /// Every feature of one hand-made pair, worked out by hand.
    #[test]
    fn each_feature_of_a_hand_made_pair() {
        let a = MovieDoc {
            id: 1,
            collection: Some("Saga".into()),
            genres: vec!["Drama".into(), "War".into()],
            directors: vec!["Ann".into(), "Bo".into(), "Cy".into()],
            // Six distinct names: only the top-billed SHARED_CAST (5) are compared.
            cast: vec!["P".into(), "Q".into(), "P".into(), "R".into(), "S".into(), "T".into(), "U".into()],
            keywords: vec!["k1".into(), "k2".into(), "k3".into()],
            release_year: Some(1990),
            runtime: Some(120.0),
            ..Default::default()
        };
        let b = MovieDoc {
            id: 2,
            collection: Some("Other".into()),
            genres: vec!["War".into(), "History".into(), "Drama".into()],
            directors: vec!["Cy".into(), "Bo".into(), "Ann".into()],
            cast: vec!["U".into(), "R".into(), "Z".into()],
            keywords: vec!["k3".into(), "k1".into()],
            release_year: Some(2071),
            runtime: Some(30.0),
            vote_count: std::f64::consts::E - 1.0,
            vote_average: 12.0,
            popularity: -3.0,
            ..Default::default()
        };
        let docs = vec![a, b];
        let catalogue = Catalogue::new(&docs);
        // Unit rows sharing one term: cosine 0.6 * 0.8.
        let content = SparseRows {
            n_cols: 3,
            indptr: vec![0, 2, 4],
            indices: vec![0, 1, 1, 2],
            values: vec![0.8, 0.6, 0.8, 0.6],
            vocabulary: vec!["x".into(), "y".into(), "z".into()],
        };
        let raters = vec![vec![1, 2, 3, 4], vec![3, 4, 5, 6, 7, 8, 9, 10, 11]];
        let f = pair(&catalogue, &content, &raters, 2.0, 0, 1);
        let expected = [
            0.6 * 0.8,
            2.0 / 6.0 * 2.0 / 4.0, // co 2 / sqrt(4 * 9), shrunk by 2 / (2 + 2)
            3f64.ln(),             // ln(1 + 2 co-raters)
            0.0,                   // different collections
            2.0,                   // three directors shared, capped at 2
            1.0,                   // R (U is sixth in a's billing, beyond SHARED_CAST)
            3f64.ln(),             // ln(1 + 2 keywords)
            2.0 / 3.0,             // genres {Drama, War} against {Drama, History, War}
            5.0,                   // 81 years: 8.1 decades, capped at 5
            0.25,                  // 30 / 120 minutes
            0.0,                   // b is a short
            1.0,                   // ln(1 + (e - 1)) TMDB votes
            1.0,                   // vote average 12 clamped to 10
            0.0,                   // negative popularity counts as 0
            2.0 / 11.0,            // co-raters 2 of a union of 11
        ];
        assert_eq!(f.len(), expected.len());
        for (k, (got, want)) in f.iter().zip(expected).enumerate() {
            assert!((got - want).abs() < 1e-6, "{}: {got} against {want}", FEATURES[k]);
        }
        // What is unknown takes a fixed neutral value, never NaN.
        let mut unknown = docs.clone();
        unknown[1].release_year = None;
        unknown[1].runtime = None;
        unknown[1].collection = Some("Saga".into());
        let f = pair(&Catalogue::new(&unknown), &content, &[vec![], vec![]], 2.0, 0, 1);
        assert_eq!((f[1], f[2], f[3], f[8], f[9], f[10], f[14]), (0.0, 0.0, 1.0, 2.5, 0.0, 0.0, 0.0));
        assert!(f.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn features_are_symmetric_where_they_should_be() {
        let docs = vec![doc(1, Some("C"), &["D"], &["k"]), doc(2, Some("C"), &["D"], &["k", "j"])];
        let catalogue = Catalogue::new(&docs);
        let content =
            SparseRows { n_cols: 1, indptr: vec![0, 1, 2], indices: vec![0, 0], values: vec![1.0, 1.0], vocabulary: vec!["x".into()] };
        let raters = vec![vec![1, 2, 3], vec![2, 3]];
        let f = pair(&catalogue, &content, &raters, 10.0, 0, 1);
        assert_eq!(f.len(), FEATURES.len());
        assert_eq!(f[0], 1.0);
        assert_eq!(f[3], 1.0);
        assert_eq!(f[4], 1.0);
        assert!((f[2] - 2f64.ln_1p()).abs() < 1e-12);
        assert_eq!(f[1], shrunk_cosine(2, 3, 2, 10.0));
    }
}
