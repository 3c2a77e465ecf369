"""The "quirks" section of the expected facts: where each quirk landed in the files.

Letters (a)..(p) name the quirk families the sample must exercise; "extra" ones were
added on top.  Line numbers are those write.serialise() noted on the records.
"""

from .stats import is_ascii


def quirk_table(sample, cleaned, stats):
    return _QuirkTable(sample, cleaned, stats).entries()


def _quirk(key, letter, desc, file, items):
    return dict(key=key, quirk=letter, file=file, description=desc, items=items)


class _QuirkTable:
    def __init__(self, sample, cleaned, stats):
        self.sample = sample
        self.cleaned = cleaned
        self.stats = stats
        self.Q = sample.quirks
        self.cred_line = {}      # movie id -> line of its first credits row
        for r in sample.credit_records:
            self.cred_line.setdefault(r["id"], r["line"])

    def entries(self):
        sections = [self._a_embedded_newline, self._b_apostrophes, self._c_broken_record,
                    self._d_duplicate_ids, self._e_empty_lists, self._f_missing_values,
                    self._g_non_ascii, self._h_duplicate_titles, self._i_vote_threshold,
                    self._j_actor_twice, self._k_prolific_and_budget, self._l_weekday_month,
                    self._m_garbage, self._n_collections, self._o_gender0_profile_none,
                    self._p_runtime, self._extra]
        return [q for section in sections for q in section()]

    # -- where a movie landed in movies_metadata.csv ----------------------------------

    def record(self, m):
        """The movie's first record in movies_metadata.csv."""
        return next(r for r in self.sample.movie_records if r["movie"] is m)

    def line(self, m):
        return self.record(m)["line"]

    def ref(self, m):
        return dict(id=m["id"], line=self.line(m), title=m["title"])

    # -- the quirks, in the order expected.json lists them ----------------------------

    def _a_embedded_newline(self):
        return [_quirk(
            "overview_embedded_newline", "a",
            "overview contains '\\n - Written by ...' inside a quoted field; record spans 2 "
            "physical lines", "movies_metadata.csv",
            [dict(self.ref(m), lines=self.line(m), spans_lines=[self.line(m), self.line(m) + 1])
             for m in self.Q["overview_embedded_newline"]])]

    def _b_apostrophes(self):
        cm = self.Q["char_apostrophe"][0]
        declan = self.stats.declan
        kept_credits = self.cleaned.kept_credits
        oshea_movies = [m for m in self.cleaned.kept_movies if m["id"] in kept_credits and any(
            c["id"] == declan.id for c in m["cast"])]
        hm = next(m for m in self.sample.movies if m["title"] == "Hunter's Moon")
        return [
            _quirk("cast_character_apostrophe", "b",
                   "cast character \"Thomas 'Tank' Whitaker\" (repr writes it in double quotes, "
                   "csv doubles them)", "credits.csv",
                   [dict(id=cm["id"],
                         line=next(r for r in self.sample.credit_records
                                   if r["movie"] is cm)["line"],
                         movies_line=self.line(cm))]),
            _quirk("person_name_apostrophe", "b",
                   "actor \"Declan O'Shea\" (person id %d) appears in these kept movies"
                   % declan.id, "credits.csv",
                   [dict(id=m["id"], line=kept_credits[m["id"]]["line"]) for m in oshea_movies]),
            _quirk("title_apostrophe", "b", "title \"Hunter's Moon\"", "movies_metadata.csv",
                   [self.ref(hm)]),
        ]

    def _c_broken_record(self):
        bm = self.Q["broken_record"][0]
        lines = self.record(bm)["lines"]
        return [_quirk(
            "broken_record", "c",
            "record split into two physical CSV records: first has 10 fields (adult..overview "
            "first part), second has 15 fields (overview second part .. vote_count); a naive "
            "reader sees release_date in the id column of the second record. Repaired overview "
            "= first_part + second_part (exact concatenation, second part starts with a space).",
            "movies_metadata.csv",
            [dict(id=bm["id"], line=lines[0], second_line=lines[1],
                  title=bm["title"], overview_first_part=bm["overview_first"],
                  overview_second_part=bm["overview_second"],
                  repaired_overview=bm["overview"],
                  naive_id_column_value=bm["date"].isoformat())])]

    def _d_duplicate_ids(self):
        Q = self.Q
        dup_items = []
        for m in Q["dup_identical"] + Q["dup_popularity"]:
            rs = [r for r in self.sample.movie_records if r["movie"] is m]
            dup_items.append(dict(id=m["id"], title=m["title"], lines=[r["line"] for r in rs],
                                  identical=m in Q["dup_identical"],
                                  popularity_first=rs[0]["rows"][0][10],
                                  popularity_second=rs[1]["rows"][0][10],
                                  keep_line=rs[0]["line"]))
        return [
            _quirk("movies_duplicate_ids", "d",
                   "ids appearing twice in movies_metadata; keep the FIRST occurrence in file "
                   "order", "movies_metadata.csv", dup_items),
            _quirk("credits_duplicate_ids", "d", "ids appearing twice in credits (identical rows)",
                   "credits.csv",
                   [dict(id=m["id"],
                         lines=[r["line"] for r in self.sample.credit_records if r["movie"] is m])
                    for m in Q["credits_dup"]]),
            _quirk("keywords_duplicate_ids", "d",
                   "ids appearing twice in keywords (identical rows)", "keywords.csv",
                   [dict(id=m["id"],
                         lines=[r["line"] for r in self.sample.keyword_records
                                if r["movie"] is m])
                    for m in Q["keywords_dup"]]),
        ]

    def _e_empty_lists(self):
        Q = self.Q
        am = Q["all_lists_empty"][0]
        empty_col = {}
        for col, key in (("genres", "genres"), ("production_companies", "companies"),
                         ("production_countries", "countries"), ("spoken_languages", "spoken")):
            empty_col[col] = [r["id"] for r in self.sample.movie_records
                              if r["kind"] in ("movie", "broken")
                              and r["id"] is not None and r["movie"][key] == []
                              and not (col == "genres"
                                       and r["reject"] == "unparsable_nested_cell")]
        empty_credits = sorted(Q["credits_cast_empty"] + Q["credits_crew_empty"] +
                               Q["credits_both_empty"], key=lambda m: self.cred_line[m["id"]])
        return [
            _quirk("empty_lists_movies", "e",
                   "movie records (first occurrences and duplicates, excluding the 'abc' row) "
                   "whose nested list cell is exactly []; the designated ones: genres [] on %s, "
                   "all four lists [] on %d" % ([m["id"] for m in Q["genres_empty"]], am["id"]),
                   "movies_metadata.csv",
                   [dict(column=col, ids=ids) for col, ids in empty_col.items()] +
                   [dict(designated_all_four_empty=self.ref(am))] +
                   [dict(designated_genres_empty=self.ref(m)) for m in Q["genres_empty"]]),
            _quirk("credits_empty_cast_crew", "e", "credits rows with cast [] and/or crew []",
                   "credits.csv",
                   [dict(id=m["id"], line=self.cred_line[m["id"]], cast_empty=m["cast"] == [],
                         crew_empty=m["crew"] == [])
                    for m in empty_credits]),
        ]

    def _f_missing_values(self):
        return [
            _quirk("missing_release_date", "f", "release_date cell empty (rejected)",
                   "movies_metadata.csv",
                   [self.ref(m) for m in self.Q["missing_release_date"]]),
            _quirk("missing_title", "f", "title cell empty but release_date present (kept)",
                   "movies_metadata.csv",
                   [dict(self.ref(m), original_title=m["original_title"],
                         release_date=m["date"].isoformat())
                    for m in self.Q["missing_title"]]),
        ]

    def _g_non_ascii(self):
        kept_movies = self.cleaned.kept_movies
        orig_differs = [m for m in kept_movies
                        if m["original_title"] != m["title"] and m["title"]]
        nonascii_title = [m for m in kept_movies if not is_ascii(m["title"])]
        return [_quirk(
            "non_ascii", "g",
            "non-English films: original_title differs from title (original_language != en); "
            "plus non-ASCII English titles", "movies_metadata.csv",
            [dict(self.ref(m), original_title=m["original_title"], original_language=m["lang"])
             for m in orig_differs] +
            [dict(self.ref(m), note="non-ASCII title") for m in nonascii_title])]

    def _h_duplicate_titles(self):
        title_dups = {}
        for t in ("Cinderella", "Titanic", "The Avengers"):
            title_dups[t] = [dict(id=m["id"], year=m["date"].year, line=self.line(m))
                             for m in self.sample.movies if m["title"] == t]
        return [_quirk("duplicate_titles", "h", "same title, different movies/ids",
                       "movies_metadata.csv",
                       [dict(title=t, movies=v) for t, v in title_dups.items()])]

    def _i_vote_threshold(self):
        Q = self.Q
        for vc in (1999, 2000, 2001):
            assert sum(1 for m in self.cleaned.kept_movies if m["vote_count"] == vc) == 1
        return [_quirk(
            "votes_threshold", "i", "vote_count exactly 1999 / 2000 / 2001",
            "movies_metadata.csv",
            [dict(self.ref(m), vote_count=m["vote_count"], vote_average=m["vote_average"],
                  year=m["date"].year)
             for m in Q["votes_1999"] + Q["votes_2000"] + Q["votes_2001"]])]

    def _j_actor_twice(self):
        tm = self.Q["actor_twice_same_cast"][0]
        declan = self.stats.declan
        return [_quirk(
            "actor_twice_in_cast", "j",
            "Declan O'Shea (id %d) listed twice (two roles, different cast_id/credit_id/order) "
            "in one cast" % declan.id, "credits.csv",
            [dict(id=tm["id"], line=self.cred_line[tm["id"]], movies_line=self.line(tm),
                  characters=[c["character"] for c in tm["cast"] if c["id"] == declan.id])])]

    def _k_prolific_and_budget(self):
        st = self.stats
        return [
            _quirk("prolific_people", "k",
                   "director with 4+ films / actor with 6+ films (kept data)", "credits.csv",
                   [dict(director="Harriet Vance", person_id=st.vance.id, **st.vance_stats),
                    dict(actor="Declan O'Shea", person_id=st.declan.id,
                         naive_cast_entries=st.declan_naive_entries, **st.declan_stats)]),
            _quirk("budget_zero_and_positive", "k",
                   "budget 0 => return 0; designated budget 0 with revenue > 0 and budget>0 & "
                   "revenue>0", "movies_metadata.csv",
                   [dict(budget0_revenue_positive=[dict(self.ref(m), revenue=m["revenue"])
                                                   for m in st.budget0_rev]),
                    dict(designated_budget_and_revenue=dict(
                        self.ref(self.Q["budget_rev_pos"][0]), budget=12000000,
                        revenue=48000000, **{"return": 4.0}))]),
        ]

    def _l_weekday_month(self):
        kept_movies = self.cleaned.kept_movies
        wed_ids = [m["id"] for m in kept_movies if m["date"].weekday() == 2]
        sat_ids = [m["id"] for m in kept_movies if m["date"].weekday() == 5]
        sep_ids = [m["id"] for m in kept_movies if m["date"].month == 9]
        return [_quirk("weekday_month", "l",
                       "kept movies released on Wednesday / Saturday / in September",
                       "movies_metadata.csv",
                       [dict(wednesday_ids=wed_ids), dict(saturday_ids=sat_ids),
                        dict(september_ids=sep_ids)])]

    def _m_garbage(self):
        garbage = []
        for key in ("garbage_id_abc", "garbage_budget_lots", "garbage_genres_unparsable"):
            m = self.Q[key][0]
            r = self.record(m)
            garbage.append(dict(key=key, id_cell=r["rows"][0][5], title=m["title"],
                                line=r["line"], reason=r["reject"]))
        ucm = self.Q["credits_cast_unparsable"][0]
        orphan_credits = self.sample.spare_ids.orphan_credits
        orphan_kw = self.sample.spare_ids.orphan_keywords
        return [
            _quirk("garbage_movies", "m", "movie rows to reject (each has 24 fields)",
                   "movies_metadata.csv", garbage),
            _quirk("garbage_credits", "m", "credits rows: unparsable cast cell / id without movie",
                   "credits.csv",
                   [dict(key="cast_unparsable", id=ucm["id"], line=self.cred_line[ucm["id"]]),
                    dict(key="orphan_id", id=orphan_credits,
                         line=self.cred_line[orphan_credits])]),
            _quirk("garbage_keywords", "m", "keywords row for a movie id that does not exist",
                   "keywords.csv",
                   [dict(id=orphan_kw, line=next(r["line"] for r in self.sample.keyword_records
                                                 if r["id"] == orphan_kw))]),
        ]

    def _n_collections(self):
        collections_out = []
        for cobj in self.sample.collections:
            mem = [m for m in self.sample.movies if m.get("collection") is cobj]
            mem.sort(key=lambda m: m["date"])
            collections_out.append(dict(id=cobj["id"], name=cobj["name"],
                                        member_ids=[m["id"] for m in mem],
                                        titles=[m["title"] for m in mem]))
        return [_quirk("collections", "n",
                       "belongs_to_collection dict for members, empty otherwise",
                       "movies_metadata.csv", collections_out)]

    def _o_gender0_profile_none(self):
        kept_credits = self.cleaned.kept_credits
        g0_none = [m for m in self.cleaned.kept_movies if m["id"] in kept_credits and any(
            c["gender"] == 0 and c["profile_path"] is None for c in m["cast"])]
        assert g0_none
        return [_quirk(
            "gender0_profile_none", "o",
            "kept movies whose cast has an entry with 'gender': 0 and 'profile_path': None "
            "(designated: Robin Ashdown in %d)" % self.Q["budget_rev_pos"][0]["id"],
            "credits.csv", [dict(ids=[m["id"] for m in g0_none])])]

    def _p_runtime(self):
        Q = self.Q
        return [_quirk("runtime", "p", "runtime empty / 0.0 / > 300", "movies_metadata.csv",
                       [dict(self.ref(Q["runtime_empty"][0]), runtime=""),
                        dict(self.ref(Q["runtime_zero"][0]), runtime="0.0"),
                        dict(self.ref(Q["runtime_long"][0]), runtime="338.0")])]

    def _extra(self):
        Q = self.Q
        kept_credits = self.cleaned.kept_credits
        two_dir = [m for m in self.cleaned.kept_movies
                   if sum(1 for c in m["crew"] if c["job"] == "Director") >= 2
                   and m["id"] in kept_credits]
        return [
            _quirk("two_directors", "extra", "kept movies with 2 Director crew entries",
                   "credits.csv",
                   [dict(id=m["id"], line=kept_credits[m["id"]]["line"],
                         directors=[c["name"] for c in m["crew"] if c["job"] == "Director"])
                    for m in two_dir]),
            _quirk("links_empty_tmdbId", "extra", "links rows with empty tmdbId (no movie)",
                   "links.csv",
                   [dict(movieId=l["ml"], imdbId="%07d" % l["imdb"], line=l["line"])
                    for l in self.sample.link_records if l["tmdb"] is None]),
            _quirk("status_not_released", "extra", "status other than Released",
                   "movies_metadata.csv",
                   [dict(self.ref(m), status=m["status"])
                    for m in Q["status_rumored"] + Q["status_post_production"]]),
        ]
