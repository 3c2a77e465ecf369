#!/usr/bin/env python3
"""Deterministic generator for a small synthetic sample of Kaggle's "The Movies Dataset".

Run from the repository root:

    python3 tools/make_sample.py

Writes data/sample/{movies_metadata,credits,keywords,links,ratings_small}.csv plus
data/sample/EXPECTED.md and data/sample/expected.json.

Everything (movies, people, companies, collections, overviews) is invented.  Only
generic vocabulary is shared with the real dataset: TMDB genre ids/names, ISO
country/language codes and the native language names used by TMDB.

The file *format* mimics the real files byte-for-byte in style:
  * nested cells are Python repr() literals of lists/dicts (single quotes, strings
    containing an apostrophe come out double-quoted, None/True/False);
  * csv.writer with QUOTE_MINIMAL;
  * line endings: movies_metadata.csv and keywords.csv LF, credits.csv CRLF (like the
    real partial credits file), links.csv and ratings_small.csv CRLF (like the real
    files).

Deterministic: a single random.Random(42), no wall clock, no locale, no iteration
over sets/dict-of-hash order that depends on PYTHONHASHSEED.  Python 3.11 stdlib only.

All the facts in EXPECTED.md / expected.json are computed from the in-memory data
model (the per-record cell lists), not by re-reading the CSV files.  After writing,
the script re-reads the files with the csv module purely as a self-check.
"""

import ast
import calendar
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import sys

import random

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "data", "sample")

rng = random.Random(42)

MOVIE_HEADER = [
    "adult", "belongs_to_collection", "budget", "genres", "homepage", "id", "imdb_id",
    "original_language", "original_title", "overview", "popularity", "poster_path",
    "production_companies", "production_countries", "release_date", "revenue", "runtime",
    "spoken_languages", "status", "tagline", "title", "video", "vote_average", "vote_count",
]
CREDITS_HEADER = ["cast", "crew", "id"]
KEYWORDS_HEADER = ["id", "keywords"]
LINKS_HEADER = ["movieId", "imdbId", "tmdbId"]
RATINGS_HEADER = ["userId", "movieId", "rating", "timestamp"]

LT = {  # line terminators per file
    "movies_metadata.csv": "\n",
    "credits.csv": "\r\n",
    "keywords.csv": "\n",
    "links.csv": "\r\n",
    "ratings_small.csv": "\r\n",
}

# --------------------------------------------------------------------------------------
# Reference vocabularies (generic, real codes / names are fine)
# --------------------------------------------------------------------------------------
GENRES = {
    28: "Action", 12: "Adventure", 16: "Animation", 35: "Comedy", 80: "Crime",
    18: "Drama", 10751: "Family", 14: "Fantasy", 36: "History", 27: "Horror",
    9648: "Mystery", 10749: "Romance", 878: "Science Fiction", 53: "Thriller",
    10752: "War",
}
LANG_NAMES = {
    "en": "English", "fr": "Français", "es": "Español", "ja": "日本語",
    "de": "Deutsch", "it": "Italiano",
}
COUNTRY_NAMES = {
    "US": "United States of America", "GB": "United Kingdom", "CA": "Canada",
    "AU": "Australia", "IE": "Ireland", "FR": "France", "ES": "Spain", "MX": "Mexico",
    "JP": "Japan", "DE": "Germany", "IT": "Italy",
}
LANG_COUNTRY = {"fr": ["FR"], "es": ["ES", "MX"], "ja": ["JP"], "de": ["DE"], "it": ["IT"]}

MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
MONTHS_ES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
             "septiembre", "octubre", "noviembre", "diciembre"]
DAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
DAYS_ES = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

# --------------------------------------------------------------------------------------
# Themes: word pools so that movies of one theme share vocabulary
# --------------------------------------------------------------------------------------
THEME_ORDER = ["space", "heist", "romance", "horror", "war", "family", "sports", "detective"]

THEMES = {
    "space": dict(
        primary=[878], extra=[12, 28, 53],
        A=["Star", "Dark", "Solar", "Void", "Nova", "Orbit", "Nebula", "Quantum", "Crimson",
           "Silent", "Frozen", "Deep", "Iron", "Lunar", "Pale"],
        B=["Frontier", "Drift", "Horizon", "Signal", "Exodus", "Station", "Protocol", "Harvest",
           "Colony", "Eclipse", "Odyssey", "Beacon", "Relay", "Meridian", "Outpost"],
        places=["Kepler Nine", "Titan Station", "Vesper Reach", "the Red Moon", "Halcyon Prime"],
        patterns=["{A} {B}", "The {B}", "Beyond the {B}", "Return to {P}", "{A} {B}"],
        s1=["When {who} intercepts {signal} from {P}, the crew of {ship} must {goal}.",
            "{Who} wakes from cryosleep aboard {ship} to find {twist}.",
            "On the edge of {P}, {who} races to {goal} before {threat}."],
        s2=["Trapped light-years from Earth, the survivors must trust {ally}.",
            "As the reactor fails, loyalties aboard the ship begin to crack.",
            "An ancient alien artifact holds the key to survival."],
        s3=["In the silence of space, no one is coming to help.",
            "The fate of humanity rests on a single jump through hyperspace.",
            "What they find out there will change everything."],
        slots=dict(
            who=["a veteran pilot", "a rookie astronaut", "a disgraced starship captain",
                 "a colony engineer", "an android navigator", "a xenobiologist"],
            signal=["a distress signal", "an alien transmission", "a coded beacon",
                    "a message from a dead colony"],
            ship=["the freighter Kestrel", "the research vessel Halcyon", "a mining barge",
                  "the colony ark Meridian", "the starship Vanguard"],
            goal=["reach the outpost", "repair the failing reactor", "warn the colonies",
                  "decode the signal", "find a way home"],
            threat=["the oxygen runs out", "the wormhole collapses", "an alien swarm arrives",
                    "the solar storm hits"],
            twist=["the rest of the crew missing", "the ship drifting off course",
                   "an alien presence on board", "that Earth has gone silent"],
            ally=["a rogue AI", "a smuggler with a secret", "an alien stowaway",
                  "a mutinous first officer"]),
        keywords=["space travel", "spaceship", "alien", "astronaut", "distant planet",
                  "space colony", "artificial intelligence", "wormhole", "cryosleep",
                  "first contact", "space station", "dystopia"],
        taglines=["The stars are not silent.", "Space is only the beginning.",
                  "No signal. No rescue. No return.", "Beyond the edge of everything."],
        roles=["Captain {L}", "Commander {F} {L}", "Lt. {F} {L}", "Dr. {F} {L}", "{F} {L}",
               "{F} {L}", "Engineer {L}", "Mission Control"],
    ),
    "heist": dict(
        primary=[80], extra=[53, 28, 35],
        A=["Clean", "Silver", "Midnight", "Golden", "Inside", "Last", "Perfect", "Double",
           "Velvet", "Diamond", "Glass", "Quiet"],
        B=["Job", "Score", "Vault", "Getaway", "Take", "Switch", "Con", "Heist", "Crew",
           "Split", "Drop", "Ledger"],
        places=["Monte Carlo", "Vegas", "Lisbon", "Hong Kong", "Geneva"],
        patterns=["{A} {B}", "The {A} {B}", "{B} in {P}", "{A} {B}"],
        s1=["{Who} assembles a crew of misfits to rob {target} in {P}.",
            "Lured back for one last job, {who} plans to steal {loot} from {target}.",
            "When {who} is double-crossed during a robbery in {P}, the only way out is a bigger score."],
        s2=["But the plan unravels when {complication}.",
            "Every member of the crew has something to hide.",
            "With the police closing in, trust becomes the most valuable currency."],
        s3=["One last job. One perfect plan. Nothing can go wrong.",
            "In this game, the house always loses.",
            "The clock is ticking and the alarm is set."],
        slots=dict(
            who=["a retired safecracker", "a charming con artist", "an ex-con fresh out of prison",
                 "a crooked bank manager", "a master forger", "a getaway driver"],
            target=["the most secure casino", "a private bank vault", "a diamond exchange",
                    "an armored train", "a billionaire's penthouse"],
            loot=["a fortune in diamonds", "forty million in bearer bonds", "a priceless painting",
                  "the mob's ledger"],
            complication=["an insider turns informant", "the vault is already empty",
                          "a detective starts asking questions", "the getaway car never shows"]),
        keywords=["heist", "robbery", "bank", "thief", "safecracker", "con artist",
                  "double cross", "casino", "one last job", "money", "gang", "betrayal"],
        taglines=["Everyone gets a cut.", "The perfect crime has a flaw.",
                  "Steal big. Run fast.", "One vault. Five thieves. No second chances."],
        roles=["{F} {L}", "{F} {L}", "{F} {L}", "Detective {L}", "Guard", "Bank Manager",
               "Casino Owner", "{F}"],
    ),
    "romance": dict(
        primary=[10749], extra=[18, 35],
        A=["Summer", "Autumn", "Paper", "Second", "Midnight", "Lost", "Little", "Blue",
           "Tender", "Winter", "Sweet", "Golden"],
        B=["Hearts", "Promise", "Kisses", "Waltz", "Season", "Vows", "Chances", "Rain",
           "Serenade", "Affair", "Garden", "Whispers"],
        places=["Paris", "Lisbon", "Rome", "Vienna", "Kyoto", "Buenos Aires"],
        patterns=["{A} {B}", "Love in {P}", "{A} {B} in {P}", "A {A} {B}"],
        s1=["{Who} falls for {other} during a summer in {P}.",
            "A chance meeting in {P} brings {who} and {other} together.",
            "When {who} inherits a crumbling villa near {P}, love arrives unannounced."],
        s2=["But family secrets and old wounds threaten to keep them apart.",
            "As the wedding day approaches, doubts begin to bloom.",
            "Letters, missed trains and second chances test their hearts."],
        s3=["Sometimes love finds you when you stop looking.",
            "A bittersweet story of love and longing.",
            "Their hearts will never be the same."],
        slots=dict(
            who=["a lonely bookseller", "a struggling musician", "a widowed architect",
                 "a headstrong journalist", "a shy baker", "a small-town florist"],
            other=["a charming stranger", "a rival chef", "an old flame", "a travelling painter",
                   "a reluctant heir"]),
        keywords=["love", "romance", "wedding", "love letter", "first love", "small town",
                  "friendship", "marriage", "love triangle", "summer", "chance meeting",
                  "long-distance relationship"],
        taglines=["Some loves are worth the wait.", "One summer. One chance.",
                  "Follow your heart.", "Love never forgets."],
        roles=["{F} {L}", "{F} {L}", "{F} {L}", "{F}", "Waiter", "Mrs. {L}", "Mr. {L}"],
    ),
    "horror": dict(
        primary=[27], extra=[53, 9648],
        A=["Hollow", "Black", "Silent", "Crimson", "Rotting", "Whispering", "Pale", "Bleeding",
           "Dead", "Cursed", "Hungry", "Wicked"],
        B=["House", "Woods", "Hour", "Harvest", "Cellar", "Lullaby", "Chapel", "Asylum", "Bride",
           "Mirror", "Well", "Night"],
        places=["Ravenhollow", "Blackmere", "Saint Agnes", "Wolfden Lake", "the Marsh"],
        patterns=["The {A} {B}", "{A} {B}", "The {B} at {P}", "{A} {B}"],
        s1=["{Who} moves into {place} and soon discovers {evil}.",
            "Stranded in {place}, {who} is hunted by {evil}.",
            "After a séance goes wrong, {who} unleashes {evil}."],
        s2=["Each night the whispers grow louder.",
            "The dead do not rest in this house.",
            "As the bodies pile up, no one can be trusted."],
        s3=["Something sinister is waiting in the dark.", "Survive the night.",
            "Some doors should never be opened."],
        slots=dict(
            who=["a grieving widow", "a group of college friends", "a paranormal investigator",
                 "a young nurse", "a family of five", "a troubled priest"],
            place=["an isolated farmhouse", "a derelict asylum", "a lakeside cabin",
                   "a crumbling manor", "a fog-bound village"],
            evil=["a vengeful spirit", "an ancient curse", "a demon that feeds on fear",
                  "something living in the walls", "a masked killer"]),
        keywords=["haunted house", "ghost", "demon", "curse", "possession", "slasher",
                  "supernatural", "killer", "cabin in the woods", "exorcism", "blood",
                  "nightmare"],
        taglines=["Don't turn off the lights.", "Fear has a new address.",
                  "They never left.", "Pray it's only a dream."],
        roles=["{F} {L}", "{F} {L}", "{F}", "Father {L}", "The Entity", "Nurse", "Sheriff {L}"],
    ),
    "war": dict(
        primary=[10752], extra=[18, 36, 28],
        A=["Iron", "Burning", "Last", "Steel", "Broken", "Red", "Silent", "Distant", "Fallen",
           "Bitter", "Winter", "Thunder"],
        B=["Ridge", "Front", "Line", "Bridge", "Harbor", "Skies", "Trench", "Beachhead", "Valley",
           "Flag", "Company", "Hill"],
        places=["Arden Ridge", "Kessel Pass", "Marne Crossing", "Hollow Point", "Sablon Bay"],
        patterns=["{A} {B}", "The {A} {B}", "Battle of {P}", "{A} {B}"],
        s1=["In {when}, {who} is sent behind enemy lines to {goal}.",
            "During the final days of the war, {who} must {goal}.",
            "{Who} leads a battered platoon on a desperate mission to {goal}."],
        s2=["Under relentless fire, brotherhood is the only thing that keeps them alive.",
            "As casualties mount, orders and conscience collide.",
            "Based on events that were kept secret for decades."],
        s3=["Not every soldier comes home.", "A story of courage, sacrifice and survival.",
            "History will remember their names."],
        slots=dict(
            who=["a reluctant sergeant", "a young medic", "a squad of paratroopers",
                 "a disgraced officer", "a resistance fighter", "a wartime pilot"],
            when=["the winter of 1944", "the summer of 1916", "the spring of 1943", "1951"],
            goal=["destroy a bridge", "rescue a captured pilot", "hold the ridge at all costs",
                  "deliver a message that could end the war", "evacuate a field hospital"]),
        keywords=["world war ii", "world war i", "soldier", "battle", "army", "resistance",
                  "prisoner of war", "sniper", "paratrooper", "military", "sacrifice",
                  "based on true story"],
        taglines=["No man left behind.", "Hold the line.", "Courage under fire.",
                  "The war ends tomorrow. If they survive tonight."],
        roles=["Sgt. {L}", "Cpl. {F} {L}", "Pvt. {L}", "Colonel {L}", "Capt. {F} {L}", "{F} {L}",
               "Radio Operator"],
    ),
    "family": dict(
        primary=[16], extra=[10751, 35, 12, 14],
        A=["Magic", "Little", "Brave", "Lost", "Flying", "Tiny", "Giant", "Secret", "Wonder",
           "Clever", "Sleepy", "Jolly"],
        B=["Kingdom", "Puppy", "Dragon", "Forest", "Robot", "Treehouse", "Balloon", "Island",
           "Penguin", "Lantern", "Toybox", "Kite"],
        places=["Pip", "Milo", "Luna", "Otto", "Rosie", "Benji"],
        patterns=["The {A} {B}", "{A} {B}", "{P} and the {A} {B}", "The {A} {B}"],
        s1=["{Who} sets off on a magical adventure to {goal}.",
            "When {who} discovers {thing}, an unlikely friendship begins.",
            "{Who} must find the way home after getting lost in {place}."],
        s2=["Along the way they meet a colorful band of new friends.",
            "With courage, laughter and a little magic, anything is possible.",
            "Together they learn the true meaning of friendship."],
        s3=["A colorful adventure for audiences of all ages.", "Home is where the heart is.",
            "Sometimes the smallest hero makes the biggest difference."],
        slots=dict(
            who=["a curious young girl", "a clumsy dragon", "a runaway robot",
                 "two mischievous siblings", "a brave little mouse", "a lonely snowman"],
            goal=["save the enchanted forest", "find a missing friend",
                  "rescue the kingdom from a wicked witch", "win the great balloon race",
                  "bring back the lost stars"],
            thing=["a talking toy", "a map to a hidden kingdom", "a baby dragon in the garden",
                   "a magic paintbrush"],
            place=["a giant toy store", "the land of clouds", "an underwater city",
                   "the big city"]),
        keywords=["animation", "friendship", "talking animals", "magic", "dragon", "toy",
                  "family", "princess", "kingdom", "adventure", "anthropomorphism", "fairy tale"],
        taglines=["Adventure is just around the corner.", "Believe in a little magic.",
                  "Small hero. Big heart.", "Fun for the whole family."],
        roles=["{F} (voice)", "{F} (voice)", "{F} (voice)", "The King (voice)", "Dragon (voice)",
               "Narrator (voice)", "Mom (voice)"],
    ),
    "sports": dict(
        primary=[18], extra=[35, 10751],
        A=["Final", "Second", "Iron", "Golden", "Last", "Home", "Full", "Fast", "Underdog",
           "Winning", "Long", "Hard"],
        B=["Season", "Round", "Inning", "Lap", "Goal", "Match", "Shot", "Court", "Mile", "Punch",
           "Comeback", "Playoff"],
        places=["Hamilton Heights", "Riverside", "Cedar Falls", "Port Ellis", "Dunmore"],
        patterns=["{A} {B}", "The {A} {B}", "The {P} {B}", "{A} {B}"],
        s1=["{Who} gets one last shot at {prize}.",
            "Against all odds, {who} leads a team of misfits to {prize}.",
            "After a career-ending injury, {who} must fight to {goal}."],
        s2=["Every practice, every fall and every victory counts.",
            "A tough new coach pushes the team to its limits.",
            "The whole town is watching."],
        s3=["Heart beats talent.", "An inspiring story of grit and determination.",
            "It's not over until the final whistle."],
        slots=dict(
            who=["a washed-up boxer", "a small-town coach", "a teenage swimmer",
                 "a former champion", "a scrappy hockey team", "a rookie quarterback"],
            prize=["the state championship", "the world title", "the national finals",
                   "an Olympic medal"],
            goal=["get back in the ring", "coach a team of underdogs",
                  "make the comeback of a lifetime", "win back the respect of the town"]),
        keywords=["sport", "boxing", "coach", "underdog", "championship", "baseball", "football",
                  "basketball", "training", "comeback", "team", "competition"],
        taglines=["Never stop fighting.", "Every champion was once a contender.",
                  "Play for the town.", "Go the distance."],
        roles=["Coach {L}", "{F} {L}", "{F} {L}", "{F}", "Referee", "Announcer", "{F} {L}"],
    ),
    "detective": dict(
        primary=[9648], extra=[80, 53, 18],
        A=["Cold", "Shadow", "Blind", "Last", "Crooked", "Quiet", "Black", "Broken", "Hidden",
           "Silent", "False", "Scarlet"],
        B=["Case", "Witness", "Alibi", "Motive", "Trail", "Evidence", "Verdict", "Suspect", "Clue",
           "Confession", "Testimony", "Inquest"],
        places=["Blackwater Hall", "the Grand Hotel", "Kingsbridge", "Harrow Lane",
                "the Orient Pier"],
        patterns=["{A} {B}", "The {A} {B}", "Murder at {P}", "{A} {B}"],
        s1=["{Who} investigates {crime} in {city}.",
            "When {victim} is found dead, {who} uncovers {secret}.",
            "{Who} reopens a cold case in {city} that everyone wants forgotten."],
        s2=["Every witness is lying about something.",
            "The clues point to a suspect who could not have done it.",
            "As the body count rises, the detective becomes the target."],
        s3=["Trust no one.", "The truth is buried deep.", "Everyone has a motive."],
        slots=dict(
            who=["a hard-boiled private eye", "a rookie homicide detective", "a retired inspector",
                 "an amateur sleuth", "a forensic pathologist", "a disgraced police captain"],
            crime=["a string of murders", "the disappearance of an heiress",
                   "a poisoning at a society ball", "a killing in a locked room"],
            city=["rain-soaked Chicago", "post-war London", "a sleepy seaside town",
                  "1940s Los Angeles"],
            victim=["a wealthy industrialist", "a famous actress", "a city councilman",
                    "a museum curator"],
            secret=["a web of corruption", "a family secret decades old",
                    "a conspiracy reaching the highest office", "a killer hiding in plain sight"]),
        keywords=["detective", "murder", "investigation", "police", "whodunit",
                  "private detective", "film noir", "serial killer", "corruption", "witness",
                  "suspect", "mystery"],
        taglines=["Trust no one.", "Everyone is a suspect.", "The truth has a body count.",
                  "Follow the evidence."],
        roles=["Inspector {L}", "Detective {F} {L}", "{F} {L}", "{F} {L}", "Coroner",
               "Mrs. {L}", "The Butler"],
    ),
}

GENERIC_KEYWORDS = ["based on novel", "revenge", "duringcreditsstinger", "independent film",
                    "woman director", "remake", "sequel", "family relationships", "small town",
                    "friendship"]

# Collections: (theme, collection base name, member titles, backdrop None?)
COLLECTIONS = [
    ("space", "Starfall", ["Starfall", "Starfall II: Dark Orbit", "Starfall: Exodus"], False),
    ("heist", "The Vault Job", ["The Vault Job", "The Vault Job 2"], False),
    ("horror", "Hollow Creek", ["Hollow Creek", "Hollow Creek II", "Hollow Creek: Revenant",
                                "Hollow Creek: The Final Night"], False),
    ("family", "Pip and the Paper Kites", ["Pip and the Paper Kites", "Pip and the Paper Kites 2",
                                           "Pip and the Kite Festival", "Pip Saves Winter",
                                           "Pip and the Paper Kites 5"], False),
    ("detective", "Inspector Quill", ["Inspector Quill", "Inspector Quill: The Harrow Lane Murders"],
     False),
    ("war", "Iron Meridian", ["Iron Meridian", "Iron Meridian: Winter Line",
                              "Iron Meridian: Last Crossing"], False),
    ("sports", "Southpaw Sally", ["Southpaw Sally", "Southpaw Sally II"], True),
    ("romance", "Letters to Lucía", ["Letters to Lucía", "More Letters to Lucía", "Lucía Forever"],
     False),
]
COLLECTION_KEYWORD = {
    "Starfall": "starfall saga", "The Vault Job": "vault job", "Hollow Creek": "hollow creek",
    "Pip and the Paper Kites": "paper kites", "Inspector Quill": "inspector quill",
    "Iron Meridian": "iron meridian", "Southpaw Sally": "southpaw", "Letters to Lucía": "lucía",
}

# Non-English films: (lang, original_title, English title, theme)
FOREIGN = [
    ("fr", "L'Étoile du Nord", "The North Star", "space"),
    ("fr", "Les Voleurs de Lumière", "The Light Thieves", "heist"),
    ("fr", "Le Dernier Été à Marseille", "The Last Summer in Marseille", "romance"),
    ("fr", "La Nuit des Fantômes", "Night of the Ghosts", "horror"),
    ("fr", "Cœur de Glace", "Heart of Ice", "romance"),
    ("es", "El Último Penalti", "The Last Penalty", "sports"),
    ("es", "La Casa de los Susurros", "The House of Whispers", "horror"),
    ("es", "Corazón de Fuego", "Heart of Fire", "romance"),
    ("es", "El Golpe de Medianoche", "The Midnight Heist", "heist"),
    ("es", "Niños del Sol", "Children of the Sun", "family"),
    ("ja", "星の海の彼方", "Beyond the Sea of Stars", "space"),
    ("ja", "影の探偵", "The Shadow Detective", "detective"),
    ("ja", "桜の約束", "The Cherry Blossom Promise", "romance"),
    ("ja", "鋼の翼", "Wings of Steel", "war"),
    ("ja", "夜の囁き", "Whispers in the Night", "horror"),
    ("ja", "小さな竜の冒険", "Adventures of the Little Dragon", "family"),
    ("de", "Die Stille Grenze", "The Silent Border", "war"),
    ("de", "Der Letzte Zug nach Köln", "The Last Train to Cologne", "detective"),
    ("de", "Tödliche Spuren", "Deadly Traces", "detective"),
    ("de", "Über den Wolken", "Above the Clouds", "sports"),
    ("it", "La Grande Rapina", "The Great Robbery", "heist"),
    ("it", "Amore a Venezia", "Love in Venice", "romance"),
    ("it", "Il Segreto del Faro", "The Secret of the Lighthouse", "detective"),
    ("it", "Notte di Sangue", "Night of Blood", "horror"),
]

# Titles placed on purpose: (title, theme, year)
DUP_TITLES = [
    ("Cinderella", "family", 1950), ("Cinderella", "family", 1997), ("Cinderella", "family", 2015),
    ("Titanic", "romance", 1953), ("Titanic", "romance", 1997),
    ("The Avengers", "heist", 1998), ("The Avengers", "space", 2012),
]
OTHER_FIXED_TITLES = [
    ("Hunter's Moon", "horror"),
    ("Rendezvous at the Château", "romance"),
    ("Zoë and the Paper Dragon", "family"),
]

COMPANY_NAMES = [
    "Silver Lantern Pictures", "Northgate Films", "Red Kite Entertainment", "Harborlight Studios",
    "Blue Meridian Productions", "Cobalt Crown Media", "Ashgrove Pictures",
    "Tall Pines Film Company", "Lumière Noire", "Estudios Sol y Luna", "Kumo Animation Works",
    "Falkenberg Filmproduktion", "Cinetica Romana", "Stonebridge Entertainment",
    "Paper Boat Animation", "Ironclad Pictures", "Wildfern Films", "Orbitron Studios",
    "Granite Hill Media", "Marigold & Finch",
]
LANG_COMPANY = {"fr": "Lumière Noire", "es": "Estudios Sol y Luna", "ja": "Kumo Animation Works",
                "de": "Falkenberg Filmproduktion", "it": "Cinetica Romana"}
THEME_COMPANIES = {
    "space": ["Orbitron Studios", "Blue Meridian Productions", "Ironclad Pictures"],
    "heist": ["Silver Lantern Pictures", "Cobalt Crown Media", "Stonebridge Entertainment"],
    "romance": ["Marigold & Finch", "Wildfern Films", "Ashgrove Pictures"],
    "horror": ["Red Kite Entertainment", "Granite Hill Media", "Ashgrove Pictures"],
    "war": ["Ironclad Pictures", "Northgate Films", "Stonebridge Entertainment"],
    "family": ["Paper Boat Animation", "Harborlight Studios", "Tall Pines Film Company"],
    "sports": ["Northgate Films", "Tall Pines Film Company", "Wildfern Films"],
    "detective": ["Cobalt Crown Media", "Silver Lantern Pictures", "Granite Hill Media"],
}

FIRST_M = ["Marcus", "Elliot", "Owen", "Felix", "Graham", "Silas", "Desmond", "Harvey", "Julian",
           "Rhys", "Tobias", "Calvin", "Warren", "Abel", "Rufus", "Nolan", "Ivan", "Lionel",
           "Dexter", "Emmett", "Gideon", "Hector", "Jasper", "Leon", "Miles", "Oscar", "Quentin",
           "Roland", "Stellan", "Victor"]
FIRST_F = ["Mara", "Ingrid", "Celia", "Harriet", "Nadia", "Vivian", "Rosalind", "Esther",
           "Imogen", "Lydia", "Greta", "Priya", "Odette", "Fiona", "Beatrix", "Camille",
           "Delphine", "Elena", "Hazel", "Iris", "June", "Katrin", "Leonie", "Maren", "Nell",
           "Opal", "Paloma", "Ruth", "Sabine", "Tessa"]
LAST = ["Hale", "Voss", "Whitlock", "Ashford", "Calloway", "Brennan", "Marsh", "Lindqvist",
        "Okafor", "Pryce", "Thornbury", "Castellane", "Drummond", "Fairweather", "Garrow",
        "Holloway", "Ingram", "Jessop", "Kincaid", "Lockhart", "Mercer", "Nightingale", "Oakley",
        "Penrose", "Quarles", "Rourke", "Sterling", "Tremaine", "Underhill", "Wexley", "Yardley",
        "Blackwood", "Corrigan", "Delacroix", "Ellery", "Fenwick", "Gallo", "Hartigan",
        "Moravec", "Sandoval"]
CHAR_FIRST = ["Jack", "Nora", "Eddie", "Lena", "Sam", "Ruby", "Frank", "Mae", "Theo", "Ada",
              "Cole", "Ivy", "Hank", "Lou", "Max", "Greer", "Wes", "Billie", "Archie", "Dot",
              "Ray", "Vera", "Gus", "Kit"]
CHAR_LAST = ["Harlow", "Finch", "Brody", "Kessler", "Doyle", "Marlowe", "Tate", "Reyes", "Novak",
             "Carver", "Quill", "Sutter", "Abernathy", "Lund", "Moss", "Crane"]

# Special people placed on purpose: (name, gender, profile? , theme)
SPECIAL_ACTORS = [
    ("Declan O'Shea", 2, True, "heist"),
    ("Zoë Ørnås", 1, True, "space"),
    ("José Núñez", 2, True, "war"),
    ("Sigrún Guðmundsdóttir", 1, True, "horror"),
    ("Chloé Lefèvre", 1, True, "romance"),
    ("高橋 雪乃", 1, True, "family"),
    ("François Côté-Lemieux", 2, True, "detective"),
    ("Jürgen Weiß", 2, False, "war"),
    ("Ana Lucía Peña", 1, True, "sports"),
    ("Robin Ashdown", 0, False, "detective"),
]
SPECIAL_DIRECTORS = [
    ("Harriet Vance", 1, "horror"),      # gets the most films (collection director etc.)
    ("Søren Ekdahl", 2, "war"),
    ("Mateo Ibáñez", 2, "sports"),
    ("佐々木 健", 2, "family"),
    ("Ottavio Ruggeri", 2, "detective"),
    ("Élodie Marchand", 1, "romance"),
    ("Klaus Brenner", 2, "war"),
]
LANG_DIRECTOR = {"ja": "佐々木 健", "it": "Ottavio Ruggeri", "fr": "Élodie Marchand",
                 "de": "Klaus Brenner", "es": "Mateo Ibáñez"}

CREW_JOBS = [("Production", "Producer"), ("Writing", "Screenplay"), ("Editing", "Editor"),
             ("Sound", "Original Music Composer"), ("Camera", "Director of Photography"),
             ("Production", "Casting"), ("Production", "Executive Producer")]

# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------

def rand_path(ext=".jpg"):
    return "/" + "".join(rng.choice(ALNUM) for _ in range(27)) + ext


def credit_id():
    return "%024x" % rng.getrandbits(96)


def fmt_pop(x):
    s = repr(round(x, 6))
    assert "e" not in s, s
    return s


def weighted_sample(items, weights, k):
    """Efraimidis-Spirakis weighted sampling without replacement (deterministic via rng)."""
    keyed = []
    for it, w in zip(items, weights):
        u = rng.random()
        keyed.append((u ** (1.0 / w) if w > 0 else 0.0, it))
    keyed.sort(key=lambda t: -t[0])
    return [it for _, it in keyed[:k]]


def slug(s):
    return re.sub(r"[^a-z0-9]", "", s.lower())


def is_ascii(s):
    return all(ord(c) < 128 for c in s)


def fill(template, slots, P):
    out = template
    for key in re.findall(r"\{(\w+)\}", template):
        if key == "P":
            val = P
        elif key[0].isupper():
            val = rng.choice(slots[key.lower()])
            val = val[0].upper() + val[1:]
        else:
            val = rng.choice(slots[key])
        out = out.replace("{" + key + "}", val, 1)
    return out


# --------------------------------------------------------------------------------------
# model building
# --------------------------------------------------------------------------------------

class Person:
    def __init__(self, pid, name, gender, profile, theme, fame):
        self.id, self.name, self.gender, self.profile = pid, name, gender, profile
        self.theme, self.fame = theme, fame


def build_people():
    used_names = set()
    n_actor, n_dir, n_crew = 150, 40, 50
    ids = rng.sample(range(1000, 1900000), n_actor + n_dir + n_crew)
    idit = iter(ids)

    def gen_name(gender):
        while True:
            first = rng.choice(FIRST_F if gender == 1 else FIRST_M if gender == 2
                               else rng.choice([FIRST_F, FIRST_M]))
            name = first + " " + rng.choice(LAST)
            if name not in used_names:
                used_names.add(name)
                return name

    for n, *_ in SPECIAL_ACTORS + SPECIAL_DIRECTORS:
        used_names.add(n)

    actors = []
    for name, g, has_prof, theme in SPECIAL_ACTORS:
        actors.append(Person(next(idit), name, g, rand_path() if has_prof else None, theme,
                             3.0 if name == "Declan O'Shea" else 1.2))
    while len(actors) < n_actor:
        g = rng.choices([0, 1, 2], weights=[12, 40, 48])[0]
        prof = None if rng.random() < (0.55 if g == 0 else 0.12) else rand_path()
        actors.append(Person(next(idit), gen_name(g), g, prof,
                             THEME_ORDER[len(actors) % len(THEME_ORDER)],
                             round(rng.uniform(0.3, 2.5), 3)))
    directors = []
    for name, g, theme in SPECIAL_DIRECTORS:
        directors.append(Person(next(idit), name, g, rand_path(), theme,
                                1.6 if name == "Harriet Vance" else 1.0))
    while len(directors) < n_dir:
        g = rng.choices([0, 1, 2], weights=[5, 30, 65])[0]
        prof = None if rng.random() < 0.3 else rand_path()
        directors.append(Person(next(idit), gen_name(g), g, prof,
                                THEME_ORDER[len(directors) % len(THEME_ORDER)],
                                round(rng.uniform(0.4, 2.0), 3)))
    crew = []
    while len(crew) < n_crew:
        g = rng.choices([0, 1, 2], weights=[25, 35, 40])[0]
        prof = None if rng.random() < 0.45 else rand_path()
        crew.append(Person(next(idit), gen_name(g), g, prof,
                           THEME_ORDER[len(crew) % len(THEME_ORDER)], 1.0))
    return actors, directors, crew


def build_companies():
    ids = rng.sample(range(100, 99000), len(COMPANY_NAMES))
    return {name: cid for name, cid in zip(COMPANY_NAMES, ids)}


def build_keyword_ids():
    names = []
    for t in THEME_ORDER:
        for k in THEMES[t]["keywords"]:
            if k not in names:
                names.append(k)
    for k in GENERIC_KEYWORDS + [COLLECTION_KEYWORD[c[1]] for c in COLLECTIONS]:
        if k not in names:
            names.append(k)
    ids = rng.sample(range(200, 240000), len(names))
    return dict(zip(names, ids))


def rand_date(lo_year=1950, hi_year=2017):
    lo = dt.date(lo_year, 1, 1).toordinal()
    hi = dt.date(hi_year, 12, 31).toordinal()
    return dt.date.fromordinal(rng.randint(lo, hi))


def date_in_year(y):
    lo = dt.date(y, 1, 1).toordinal()
    hi = dt.date(y, 12, 31).toordinal()
    return dt.date.fromordinal(rng.randint(lo, hi))


def make_overview(theme):
    T = THEMES[theme]
    P = rng.choice(T["places"])
    sents = [fill(rng.choice(T["s1"]), T["slots"], P)]
    n_more = rng.choices([0, 1, 2], weights=[25, 45, 30])[0]
    if n_more >= 1:
        sents.append(fill(rng.choice(T["s2"]), T["slots"], P))
    if n_more >= 2:
        sents.append(rng.choice(T["s3"]))
    return " ".join(sents)


def main():
    actors, directors, crew_pool = build_people()
    companies = build_companies()
    kw_ids = build_keyword_ids()
    actor_by_name = {a.name: a for a in actors}
    director_by_name = {d.name: d for d in directors}

    # ---------------------------------------------------------------- movie specs
    per_theme_target = {t: 37 for t in THEME_ORDER}
    per_theme_target["sports"] = 36
    per_theme_target["detective"] = 36          # 294 movie objects in total
    specs = []   # dict(theme, title, original_title, lang, year, collection, coll_index)
    coll_objs = []
    coll_ids = rng.sample(range(10000, 500000), len(COLLECTIONS))
    for (theme, base, titles, no_backdrop), cid in zip(COLLECTIONS, coll_ids):
        cobj = {"id": cid, "name": base + " Collection", "poster_path": rand_path(),
                "backdrop_path": None if no_backdrop else rand_path()}
        coll_objs.append(cobj)
        y = rng.randint(1962, 2004)
        for i, t in enumerate(titles):
            specs.append(dict(theme=theme, title=t, original_title=t, lang="en", year=y,
                              collection=cobj, coll_base=base, coll_index=i))
            y += rng.randint(2, 5)
    for lang, ot, t, theme in FOREIGN:
        specs.append(dict(theme=theme, title=t, original_title=ot, lang=lang, year=None))
    for t, theme, y in DUP_TITLES:
        specs.append(dict(theme=theme, title=t, original_title=t, lang="en", year=y))
    for t, theme in OTHER_FIXED_TITLES:
        specs.append(dict(theme=theme, title=t, original_title=t, lang="en", year=None))
    used_titles = set(s["title"] for s in specs)
    for theme in THEME_ORDER:
        have = sum(1 for s in specs if s["theme"] == theme)
        T = THEMES[theme]
        for _ in range(per_theme_target[theme] - have):
            while True:
                pat = rng.choice(T["patterns"])
                title = pat.format(A=rng.choice(T["A"]), B=rng.choice(T["B"]),
                                   P=rng.choice(T["places"]))
                if title not in used_titles:
                    used_titles.add(title)
                    break
            specs.append(dict(theme=theme, title=title, original_title=title, lang="en",
                              year=None))
    assert len(specs) == 294, len(specs)

    # ---------------------------------------------------------------- movies
    movie_ids = rng.sample(range(1000, 470000), len(specs) + 2)
    orphan_credit_id, orphan_kw_id = movie_ids[-2], movie_ids[-1]
    imdb_nums = rng.sample(range(35000, 6500000), len(specs) + 3)
    movies = []
    for i, s in enumerate(specs):
        theme = s["theme"]
        T = THEMES[theme]
        m = dict(s)
        m["id"] = movie_ids[i]
        m["imdb"] = imdb_nums[i]
        m["date"] = date_in_year(s["year"]) if s.get("year") else rand_date()
        # genres
        prim = list(T["primary"])
        if theme == "family" and rng.random() < 0.3:
            prim = [10751]
        extras = [g for g in T["extra"] if g not in prim]
        gs = prim + rng.sample(extras, rng.choices([0, 1, 2], weights=[30, 45, 25])[0])
        if s["title"] == "Cinderella":
            gs = [10751, 14, 10749]
        m["genres"] = [{"id": g, "name": GENRES[g]} for g in gs]
        # companies
        if rng.random() < 0.13:
            comps = []
        else:
            pool = list(THEME_COMPANIES[theme])
            if s["lang"] != "en":
                pool = [LANG_COMPANY[s["lang"]]] + pool[:1]
            k = rng.choices([1, 2, 3], weights=[50, 35, 15])[0]
            comps = [pool[0]] if s["lang"] != "en" else []
            cand = [c for c in pool + COMPANY_NAMES if c not in comps]
            while len(comps) < k:
                c = cand[0] if rng.random() < 0.6 else rng.choice(cand)
                cand.remove(c)
                comps.append(c)
        m["companies"] = [{"name": c, "id": companies[c]} for c in comps]
        # countries
        if s["lang"] != "en":
            cs = [rng.choice(LANG_COUNTRY[s["lang"]])]
            if rng.random() < 0.25:
                cs.append("US")
        else:
            cs = ["US"] if rng.random() < 0.7 else [rng.choice(["GB", "CA", "AU", "IE"])]
            if rng.random() < 0.2:
                extra_c = rng.choice(["GB", "FR", "DE", "CA", "US"])
                if extra_c not in cs:
                    cs.append(extra_c)
        if rng.random() < 0.04:
            cs = []
        m["countries"] = [{"iso_3166_1": c, "name": COUNTRY_NAMES[c]} for c in cs]
        # spoken languages
        ls = [s["lang"]]
        if rng.random() < 0.2:
            other = rng.choice(["en", "fr", "es", "de", "it", "ja"])
            if other not in ls:
                ls.append(other)
        if rng.random() < 0.03:
            ls = []
        m["spoken"] = [{"iso_639_1": l, "name": LANG_NAMES[l]} for l in ls]
        m["overview"] = make_overview(theme)
        # votes / popularity
        if rng.random() < 0.1:
            vc = 0
        else:
            vc = int(round(2.718281828459045 ** rng.uniform(0.0, 9.6)))
            vc = min(vc, 15000)
        if vc in (1999, 2000, 2001):
            vc += 5
        m["vote_count"] = vc
        if vc == 0:
            va = 0.0
        else:
            sd = 1.6 if vc < 20 else 0.8
            va = min(9.5, max(1.0, rng.gauss(6.3, sd)))
        m["vote_average"] = round(va, 1)
        if vc == 0:
            pop = rng.uniform(0.0005, 1.2)
        else:
            pop = min(49.9, (vc / 15000.0) * 38.0 + rng.uniform(0.05, 9.0))
        m["popularity"] = round(pop, 6)
        # money
        budget = 0
        if rng.random() < 0.4:
            lo, hi = (5.0, 6.8) if m["date"].year < 1975 else (5.5, 8.4)
            budget = int(round(10 ** rng.uniform(lo, hi), -3))
        revenue = 0
        if budget > 0 and rng.random() < 0.62:
            revenue = int(budget * 10 ** rng.uniform(-0.8, 1.0))
        elif budget == 0 and rng.random() < 0.08:
            revenue = int(10 ** rng.uniform(5.0, 7.8))
        m["budget"], m["revenue"] = budget, revenue
        # runtime
        mu = 86 if theme == "family" else 112 if theme == "war" else 103
        m["runtime"] = float(int(min(195, max(62, rng.gauss(mu, 15)))))
        m["poster"] = "" if rng.random() < 0.015 else rand_path()
        sl = slug(s["title"])
        m["homepage"] = ("http://www.%smovie.com/" % sl) if (sl and rng.random() < 0.17) else ""
        m["tagline"] = rng.choice(T["taglines"]) if rng.random() < 0.45 else ""
        m["status"] = "Released"
        movies.append(m)

    # ---------------------------------------------------------------- credits model
    actor_w_cache = {}

    def pick_cast(m, n, lead=None):
        key = (m["theme"], m["lang"])
        if key not in actor_w_cache:
            ws = []
            for a in actors:
                w = a.fame * (6.0 if a.theme == m["theme"] else 1.0)
                if a.name == "高橋 雪乃" and m["lang"] == "ja":
                    w *= 30
                ws.append(w)
            actor_w_cache[key] = ws
        chosen = weighted_sample(actors, actor_w_cache[key], n)
        if lead is not None:
            chosen = [lead] + [a for a in chosen if a is not lead][: n - 1]
        return chosen

    def char_name(theme):
        tpl = rng.choice(THEMES[theme]["roles"])
        return tpl.replace("{F}", rng.choice(CHAR_FIRST)).replace("{L}", rng.choice(CHAR_LAST))

    coll_lead = {}
    coll_director = {}
    for c in COLLECTIONS:
        theme = c[0]
        cand = [a for a in actors if a.theme == theme and a.gender != 0]
        coll_lead[c[1]] = rng.choice(cand)
        coll_director[c[1]] = (director_by_name["Harriet Vance"] if c[0] in ("horror", "space")
                               else rng.choice([d for d in directors if d.theme == theme]))
    dir_w = {}
    for m in movies:
        theme = m["theme"]
        n_cast = rng.choices(range(3, 13), weights=[14, 16, 16, 14, 11, 9, 7, 5, 4, 4])[0]
        lead = coll_lead.get(m.get("coll_base")) if m.get("collection") else None
        cast_people = pick_cast(m, n_cast, lead)
        cast = []
        cast_id = rng.randint(1, 20)
        used_chars = set()
        for order, p in enumerate(cast_people):
            while True:
                ch = char_name(theme)
                if ch not in used_chars:
                    used_chars.add(ch)
                    break
            cast.append({"cast_id": cast_id, "character": ch, "credit_id": credit_id(),
                         "gender": p.gender, "id": p.id, "name": p.name, "order": order,
                         "profile_path": p.profile})
            cast_id += rng.choice([1, 1, 1, 2, 3])
        m["cast"] = cast
        # directors
        if m.get("collection"):
            dirs = [coll_director[m["coll_base"]]]
        elif m["lang"] in LANG_DIRECTOR and rng.random() < 0.7:
            dirs = [director_by_name[LANG_DIRECTOR[m["lang"]]]]
        else:
            if theme not in dir_w:
                dir_w[theme] = [d.fame * (5.0 if d.theme == theme else 1.0) for d in directors]
            dirs = weighted_sample(directors, dir_w[theme], 1)
        if rng.random() < 0.05:
            second = rng.choice([d for d in directors if d is not dirs[0]])
            dirs = dirs + [second]
        crew = []
        for d in dirs:
            crew.append({"credit_id": credit_id(), "department": "Directing", "gender": d.gender,
                         "id": d.id, "job": "Director", "name": d.name,
                         "profile_path": d.profile})
        if rng.random() < 0.25:
            d = dirs[0]
            crew.append({"credit_id": credit_id(), "department": "Writing", "gender": d.gender,
                         "id": d.id, "job": "Screenplay", "name": d.name,
                         "profile_path": d.profile})
        n_other = rng.choices([0, 1, 2, 3], weights=[10, 35, 35, 20])[0]
        jobs = rng.sample(CREW_JOBS, n_other)
        people = rng.sample(crew_pool, n_other)
        for (dept, job), p in zip(jobs, people):
            crew.append({"credit_id": credit_id(), "department": dept, "gender": p.gender,
                         "id": p.id, "job": job, "name": p.name, "profile_path": p.profile})
        m["crew"] = crew
        # keywords
        if rng.random() < 0.12:
            m["keywords"] = None                      # no keywords row at all
        elif rng.random() < 0.07:
            m["keywords"] = []
        else:
            k = rng.randint(2, 7)
            names = rng.sample(THEMES[theme]["keywords"], min(k, 12))
            if rng.random() < 0.3:
                g = rng.choice(GENERIC_KEYWORDS)
                if g not in names:
                    names.append(g)
            if m.get("collection"):
                ck = COLLECTION_KEYWORD[m["coll_base"]]
                names = [ck] + [x for x in names if x != ck]
                if m["coll_index"] > 0 and "sequel" not in names:
                    names.append("sequel")
            kws = sorted(({"id": kw_ids[n], "name": n} for n in names), key=lambda d: d["id"])
            m["keywords"] = kws

    # ---------------------------------------------------------------- file order
    rng.shuffle(movies)
    for idx, m in enumerate(movies):
        m["pos"] = idx

    used = set()     # indices (pos) of movies already carrying a quirk

    def plain(m):
        return (m["lang"] == "en" and not m.get("collection") and m["title"] not in
                ("Cinderella", "Titanic", "The Avengers") and
                m["title"] not in [t for t, _ in OTHER_FIXED_TITLES])

    def pick(pred=lambda m: True, n=1, region=None):
        lo, hi = region if region else (0, len(movies))
        cand = [m for m in movies[lo:hi] if m["pos"] not in used and plain(m) and pred(m)]
        chosen = rng.sample(cand, n)
        chosen.sort(key=lambda m: m["pos"])
        for m in chosen:
            used.add(m["pos"])
        return chosen

    Q = {}   # quirk name -> list of movie dicts
    # garbage movie rows
    Q["garbage_id_abc"] = pick()
    Q["garbage_budget_lots"] = pick()
    Q["garbage_genres_unparsable"] = pick(lambda m: len(m["genres"]) > 0)
    Q["missing_release_date"] = pick(n=3)
    Q["missing_title"] = pick(n=2)
    Q["overview_embedded_newline"] = pick(n=2)
    Q["broken_record"] = pick(lambda m: "," in m["overview"])
    half = len(movies) // 2
    Q["dup_identical"] = pick(region=(0, half))
    Q["dup_popularity"] = pick(n=2, region=(0, half))
    Q["votes_1999"] = pick()
    Q["votes_2000"] = pick()
    Q["votes_2001"] = pick()
    Q["runtime_empty"] = pick()
    Q["runtime_zero"] = pick()
    Q["runtime_long"] = pick(lambda m: m["theme"] == "war")
    Q["genres_empty"] = pick(n=3)
    Q["all_lists_empty"] = pick()
    Q["char_apostrophe"] = pick(lambda m: m["theme"] == "heist")
    Q["actor_twice_same_cast"] = pick(lambda m: m["theme"] == "heist")
    Q["budget0_revenue_pos"] = pick()
    Q["budget_rev_pos"] = pick()
    Q["credits_cast_empty"] = pick(n=2)
    Q["credits_crew_empty"] = pick(n=2)
    Q["credits_both_empty"] = pick()
    Q["credits_cast_unparsable"] = pick()
    Q["credits_dup"] = pick(n=2, region=(0, half))
    Q["keywords_dup"] = pick(lambda m: m["keywords"] is not None and len(m["keywords"]) > 0,
                             n=2, region=(0, half))
    Q["status_rumored"] = pick(n=2)
    Q["status_post_production"] = pick()

    # apply model-level changes --------------------------------------------------------
    for m in Q["missing_release_date"]:
        m["date"] = None
    for m in Q["missing_title"]:
        m["title"] = ""
    writers = ["Ørnås", "Nell Fairweather", "Abel Moravec", "Greer Lund"]
    for m, w in zip(Q["overview_embedded_newline"], writers[1:3]):
        m["overview"] = m["overview"] + "\n - Written by " + w
    bm = Q["broken_record"][0]
    bm["overview_first"] = bm["overview"]
    bm["overview_second"] = " - Written by " + writers[0]
    bm["overview"] = bm["overview_first"] + bm["overview_second"]
    for m, vc in ((Q["votes_1999"][0], 1999), (Q["votes_2000"][0], 2000),
                  (Q["votes_2001"][0], 2001)):
        m["vote_count"] = vc
        m["vote_average"] = round(rng.uniform(5.5, 8.2), 1)
        m["popularity"] = round(rng.uniform(8.0, 20.0), 6)
    Q["runtime_empty"][0]["runtime"] = None
    Q["runtime_zero"][0]["runtime"] = 0.0
    Q["runtime_long"][0]["runtime"] = 338.0
    for m in Q["genres_empty"]:
        m["genres"] = []
    am = Q["all_lists_empty"][0]
    am["genres"], am["companies"], am["countries"], am["spoken"] = [], [], [], []
    m = Q["budget0_revenue_pos"][0]
    m["budget"], m["revenue"] = 0, 2750000
    m = Q["budget_rev_pos"][0]
    m["budget"], m["revenue"] = 12000000, 48000000
    for m in Q["status_rumored"]:
        m["status"] = "Rumored"
    Q["status_post_production"][0]["status"] = "Post Production"

    declan = actor_by_name["Declan O'Shea"]
    robin = actor_by_name["Robin Ashdown"]

    def cast_entry(p, character, order, cast_id_):
        return {"cast_id": cast_id_, "character": character, "credit_id": credit_id(),
                "gender": p.gender, "id": p.id, "name": p.name, "order": order,
                "profile_path": p.profile}

    def ensure_in_cast(m, p, character):
        if not any(c["id"] == p.id for c in m["cast"]):
            cid_ = max(c["cast_id"] for c in m["cast"]) + 1
            m["cast"].append(cast_entry(p, character, len(m["cast"]), cid_))

    m = Q["char_apostrophe"][0]
    m["cast"][0]["character"] = "Thomas 'Tank' Whitaker"
    m = Q["actor_twice_same_cast"][0]
    ensure_in_cast(m, declan, "Frankie Doyle")
    cid_ = max(c["cast_id"] for c in m["cast"]) + 1
    m["cast"].append(cast_entry(declan, "Mickey Doyle", len(m["cast"]), cid_))
    # guarantee a cast entry with gender 0 and profile_path None in a kept plain movie
    m = Q["budget_rev_pos"][0]
    ensure_in_cast(m, robin, "Night Porter")

    for m in Q["credits_cast_empty"]:
        m["cast"] = []
    for m in Q["credits_crew_empty"]:
        m["crew"] = []
    Q["credits_both_empty"][0]["cast"] = []
    Q["credits_both_empty"][0]["crew"] = []

    # ---------------------------------------------------------------- movie records
    def movie_cells(m):
        coll = m.get("collection")
        return [
            "False",
            repr(coll) if coll else "",
            str(m["budget"]),
            repr(m["genres"]),
            m["homepage"],
            str(m["id"]),
            "tt%07d" % m["imdb"],
            m["lang"],
            m["original_title"],
            m["overview"],
            fmt_pop(m["popularity"]),
            m["poster"],
            repr(m["companies"]),
            repr(m["countries"]),
            m["date"].isoformat() if m["date"] else "",
            str(m["revenue"]),
            "" if m["runtime"] is None else "%.1f" % m["runtime"],
            repr(m["spoken"]),
            m["status"],
            m["tagline"],
            m["title"],
            "False",
            "%.1f" % m["vote_average"],
            str(m["vote_count"]),
        ]

    # record = dict(rows=[cells...], movie=m, id=int|None, reject=None|reason, kind=...)
    records = []
    for m in movies:
        cells = movie_cells(m)
        rec = dict(movie=m, id=m["id"], reject=None, kind="movie", rows=[cells])
        if m is Q["garbage_id_abc"][0]:
            cells[5] = "abc"
            rec["id"], rec["reject"] = None, "non_integer_id"
        elif m is Q["garbage_budget_lots"][0]:
            cells[2] = "lots"
            rec["reject"] = "garbage_budget"
        elif m is Q["garbage_genres_unparsable"][0]:
            cells[3] = "[{'id': 28, 'name': 'Action'"
            rec["reject"] = "unparsable_nested_cell"
        elif m["date"] is None:
            rec["reject"] = "missing_release_date"
        elif m is bm:
            first = cells[:9] + [bm["overview_first"]]
            second = [bm["overview_second"]] + cells[10:]
            assert len(first) == 10 and len(second) == 15
            rec["rows"] = [first, second]
            rec["kind"] = "broken"
        records.append(rec)

    def insert_after(recs, target_pred, new_rec, min_gap=5):
        idx = next(i for i, r in enumerate(recs) if target_pred(r))
        pos = rng.randint(min(idx + min_gap, len(recs)), len(recs))
        recs.insert(pos, new_rec)

    dup_pop_values = {}
    for m in Q["dup_identical"]:
        cells = movie_cells(m)
        insert_after(records, lambda r, m=m: r["movie"] is m,
                     dict(movie=m, id=m["id"], reject=None, kind="dup", rows=[cells]))
    for m in Q["dup_popularity"]:
        cells = movie_cells(m)
        while True:
            p2 = round(m["popularity"] * rng.uniform(0.5, 1.6) + 0.01, 6)
            if fmt_pop(p2) != cells[10]:
                break
        cells[10] = fmt_pop(p2)
        dup_pop_values[m["id"]] = (fmt_pop(m["popularity"]), cells[10])
        insert_after(records, lambda r, m=m: r["movie"] is m,
                     dict(movie=m, id=m["id"], reject=None, kind="dup", rows=[cells]))

    # ---------------------------------------------------------------- credits records
    credit_recs = []
    seen_ids = []
    for r in records:
        if r["id"] is not None and r["id"] not in seen_ids:
            seen_ids.append(r["id"])
            m = r["movie"]
            cast_cell = repr(m["cast"])
            reject = None
            if m is Q["credits_cast_unparsable"][0]:
                cast_cell = cast_cell[: cast_cell.index("'credit_id'", 40)] + "'credit_id': '5"
                reject = "unparsable_nested_cell"
            credit_recs.append(dict(id=m["id"], movie=m, reject=reject, kind="credits",
                                    rows=[[cast_cell, repr(m["crew"]), str(m["id"])]]))
    # orphan credits row (id not in movies_metadata) with its own invented cast/crew
    donor = movies[rng.randrange(len(movies))]
    orphan_cast = [dict(c, credit_id=credit_id()) for c in donor["cast"][:4]]
    orphan_crew = [dict(c, credit_id=credit_id()) for c in donor["crew"][:1]]
    credit_recs.insert(rng.randint(10, len(credit_recs) - 10),
                       dict(id=orphan_credit_id, movie=None, reject=None, kind="orphan",
                            rows=[[repr(orphan_cast), repr(orphan_crew), str(orphan_credit_id)]]))
    for m in Q["credits_dup"]:
        src = next(r for r in credit_recs if r["movie"] is m)
        insert_after(credit_recs, lambda r, m=m: r["movie"] is m,
                     dict(id=m["id"], movie=m, reject=None, kind="dup",
                          rows=[list(src["rows"][0])]))

    # ---------------------------------------------------------------- keywords records
    kw_recs = []
    for mid in seen_ids:
        m = next(mm for mm in movies if mm["id"] == mid)
        if m["keywords"] is None:
            continue
        kw_recs.append(dict(id=mid, movie=m, reject=None, kind="keywords",
                            rows=[[str(mid), repr(m["keywords"])]]))
    orphan_kws = sorted(({"id": kw_ids[n], "name": n} for n in ["heist", "money", "revenge"]),
                        key=lambda d: d["id"])
    kw_recs.insert(rng.randint(10, len(kw_recs) - 10),
                   dict(id=orphan_kw_id, movie=None, reject=None, kind="orphan",
                        rows=[[str(orphan_kw_id), repr(orphan_kws)]]))
    for m in Q["keywords_dup"]:
        src = next(r for r in kw_recs if r["movie"] is m)
        insert_after(kw_recs, lambda r, m=m: r["movie"] is m,
                     dict(id=m["id"], movie=m, reject=None, kind="dup",
                          rows=[list(src["rows"][0])]))

    # ---------------------------------------------------------------- links
    link_rows = []      # dict(ml, imdb, tmdb|None, movie)
    no_tmdb_positions = sorted(rng.sample(range(20, len(seen_ids) - 5), 3))
    extra_imdb = imdb_nums[len(specs):]
    ml = 0
    k_extra = 0
    for i, mid in enumerate(seen_ids):
        if k_extra < 3 and i == no_tmdb_positions[k_extra]:
            ml += 1
            link_rows.append(dict(ml=ml, imdb=extra_imdb[k_extra], tmdb=None, movie=None))
            k_extra += 1
        m = next(mm for mm in movies if mm["id"] == mid)
        ml += 1
        m["ml"] = ml
        link_rows.append(dict(ml=ml, imdb=m["imdb"], tmdb=mid, movie=m))
    link_records = [dict(rows=[[str(l["ml"]), "%07d" % l["imdb"],
                                "" if l["tmdb"] is None else str(l["tmdb"])]], **l)
                    for l in link_rows]

    # ---------------------------------------------------------------- cleaning (model)
    kept_movies = []
    kept_ids = set()
    dropped_dups = []
    for r in records:
        if r["reject"]:
            continue
        if r["id"] in kept_ids:
            dropped_dups.append(r)
            r["dropped_duplicate"] = True
            continue
        kept_ids.add(r["id"])
        kept_movies.append(r["movie"])
    kept_by_id = {m["id"]: m for m in kept_movies}

    # ---------------------------------------------------------------- ratings
    n_users = 60
    ratable = [l for l in link_rows]
    rating_rows = []
    ts_lo = calendar.timegm((1996, 3, 29, 0, 0, 0))
    ts_hi = calendar.timegm((2016, 10, 16, 0, 0, 0))
    half_star_from = calendar.timegm((2003, 2, 18, 0, 0, 0))
    for u in range(1, n_users + 1):
        prefs = rng.sample(THEME_ORDER, rng.choice([1, 1, 2]))
        n = rng.randint(28, 76)
        mean = rng.uniform(2.9, 4.1)
        weights = []
        for l in ratable:
            m = l["movie"]
            if m is None:
                weights.append(0.25)
                continue
            w = 0.15 + (m["vote_count"] / 1000.0) ** 0.8
            w *= 7.0 if m["theme"] in prefs else 1.0
            weights.append(w)
        chosen = weighted_sample(ratable, weights, n)
        start = rng.randint(ts_lo, ts_hi - 86400 * 30)
        span = rng.choice([3600, 86400 * 2, 86400 * 90, 86400 * 600])
        for l in chosen:
            m = l["movie"]
            ts = min(ts_hi, start + rng.randint(0, span))
            if m is None:
                val = mean + rng.gauss(0, 0.8)
            else:
                val = (mean + (0.7 if m["theme"] in prefs else -0.4)
                       + (m["vote_average"] - 6.2) * 0.35 + rng.gauss(0, 0.6))
            if start < half_star_from:
                val = float(min(5, max(1, int(round(val)))))
            else:
                val = min(5.0, max(0.5, round(val * 2) / 2.0))
            rating_rows.append(dict(user=u, ml=l["ml"], rating=val, ts=ts, link=l))
    rating_rows.sort(key=lambda r: (r["user"], r["ml"]))
    rating_records = [dict(rows=[[str(r["user"]), str(r["ml"]), "%.1f" % r["rating"],
                                  str(r["ts"])]], **r) for r in rating_rows]

    # ---------------------------------------------------------------- serialise + lines
    def serialise(name, header, recs):
        buf = io.StringIO(newline="")
        w = csv.writer(buf, lineterminator=LT[name])
        w.writerow(header)
        line = 2
        n_records = 0
        for r in recs:
            r["lines"] = []
            for row in r["rows"]:
                r["lines"].append(line)
                # model-based physical line count: 1 + embedded '\n' in cells
                nl = 1 + sum(c.count("\n") for c in row)
                # cross-check against this row's own serialisation
                one = io.StringIO(newline="")
                csv.writer(one, lineterminator=LT[name]).writerow(row)
                assert one.getvalue().count("\n") == nl, (name, row[:3])
                w.writerow(row)
                line += nl
                n_records += 1
            r["line"] = r["lines"][0]
        text = buf.getvalue()
        data = text.encode("utf-8")
        return dict(name=name, data=data, records=n_records, physical_lines=line - 1,
                    bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
                    line_ending="CRLF" if LT[name] == "\r\n" else "LF")

    files = [
        serialise("movies_metadata.csv", MOVIE_HEADER, records),
        serialise("credits.csv", CREDITS_HEADER, credit_recs),
        serialise("keywords.csv", KEYWORDS_HEADER, kw_recs),
        serialise("links.csv", LINKS_HEADER, link_records),
        serialise("ratings_small.csv", RATINGS_HEADER, rating_records),
    ]
    fmap = {f["name"]: f for f in files}

    # ---------------------------------------------------------------- derived facts
    def mrec(m, kind=None):
        """first movie record of movie m (optionally of a given kind)"""
        return next(r for r in records if r["movie"] is m and (kind is None or r["kind"] == kind
                                                              or (kind == "movie" and
                                                                  r["kind"] == "broken")))

    def line_of(m):
        return mrec(m)["line"]

    def ret(m):
        return (m["revenue"] / m["budget"]) if m["budget"] > 0 else 0.0

    # credits cleaning
    kept_credits = {}
    credits_rejected = []
    credits_dup_dropped = []
    credits_no_movie = []
    for r in credit_recs:
        if r["reject"]:
            credits_rejected.append(r)
            continue
        if r["id"] in kept_credits:
            credits_dup_dropped.append(r)
            continue
        if r["id"] not in kept_by_id:
            credits_no_movie.append(r)
            continue
        kept_credits[r["id"]] = r
    kw_dup_dropped, kw_no_movie, kept_kw = [], [], {}
    for r in kw_recs:
        if r["id"] in kept_kw:
            kw_dup_dropped.append(r)
            continue
        if r["id"] not in kept_by_id:
            kw_no_movie.append(r)
            continue
        kept_kw[r["id"]] = r

    # people stats over kept credits
    def person_stats(person_id, as_director):
        films = []
        for mid, r in kept_credits.items():
            m = r["movie"]
            if as_director:
                hit = any(c["id"] == person_id and c["job"] == "Director" for c in m["crew"])
            else:
                hit = any(c["id"] == person_id for c in m["cast"])
            if hit:
                films.append(m)
        films.sort(key=lambda m: (m["date"], m["id"]))
        rets = [ret(m) for m in films]
        return dict(films=len(films), total_return=round(sum(rets), 6),
                    avg_return=round(sum(rets) / len(rets), 6) if rets else 0.0,
                    movie_ids=[m["id"] for m in films])

    actor_counts = []
    for a in actors:
        st = person_stats(a.id, False)
        actor_counts.append((st["films"], a.name, a.id))
    actor_counts.sort(key=lambda t: (-t[0], t[1]))
    dir_counts = []
    for d in directors:
        st = person_stats(d.id, True)
        dir_counts.append((st["films"], d.name, d.id))
    dir_counts.sort(key=lambda t: (-t[0], t[1]))

    declan_stats = person_stats(declan.id, False)
    declan_naive_entries = sum(sum(1 for c in r["movie"]["cast"] if c["id"] == declan.id)
                               for r in kept_credits.values())
    top_dir = director_by_name["Harriet Vance"]
    vance_stats = person_stats(top_dir.id, True)
    vance_films = []
    for mid in vance_stats["movie_ids"]:
        m = kept_by_id[mid]
        vance_films.append(dict(id=mid, title=m["title"], release_date=m["date"].isoformat(),
                                budget=m["budget"], revenue=m["revenue"],
                                **{"return": round(ret(m), 6)}))

    month_counts = [0] * 12
    day_counts = [0] * 7
    for m in kept_movies:
        month_counts[m["date"].month - 1] += 1
        day_counts[m["date"].weekday()] += 1
    wed_ids = [m["id"] for m in kept_movies if m["date"].weekday() == 2]
    sat_ids = [m["id"] for m in kept_movies if m["date"].weekday() == 5]
    sep_ids = [m["id"] for m in kept_movies if m["date"].month == 9]

    two_dir = [m for m in kept_movies
               if sum(1 for c in m["crew"] if c["job"] == "Director") >= 2
               and m["id"] in kept_credits]
    g0_none = [m for m in kept_movies if m["id"] in kept_credits and any(
        c["gender"] == 0 and c["profile_path"] is None for c in m["cast"])]
    oshea_movies = [m for m in kept_movies if m["id"] in kept_credits and any(
        c["id"] == declan.id for c in m["cast"])]
    nonascii_title = [m for m in kept_movies if not is_ascii(m["title"])]
    nonascii_orig = [m for m in kept_movies if not is_ascii(m["original_title"])]
    orig_differs = [m for m in kept_movies if m["original_title"] != m["title"] and m["title"]]
    nonascii_people_movies = [m for m in kept_movies if m["id"] in kept_credits and any(
        not is_ascii(c["name"]) for c in m["cast"] + m["crew"])]
    budget0 = [m for m in kept_movies if m["budget"] == 0]
    budget_rev = [m for m in kept_movies if m["budget"] > 0 and m["revenue"] > 0]
    budget0_rev = [m for m in kept_movies if m["budget"] == 0 and m["revenue"] > 0]
    empty_col = {}
    for col, key in (("genres", "genres"), ("production_companies", "companies"),
                     ("production_countries", "countries"), ("spoken_languages", "spoken")):
        empty_col[col] = [r["id"] for r in records if r["kind"] in ("movie", "broken")
                          and r["id"] is not None and r["movie"][key] == []
                          and not (col == "genres" and r["reject"] == "unparsable_nested_cell")]
    title_dups = {}
    for t in ("Cinderella", "Titanic", "The Avengers"):
        title_dups[t] = [dict(id=m["id"], year=m["date"].year, line=line_of(m))
                         for m in movies if m["title"] == t]
    collections_out = []
    for cobj in coll_objs:
        mem = [m for m in movies if m.get("collection") is cobj]
        mem.sort(key=lambda m: m["date"])
        collections_out.append(dict(id=cobj["id"], name=cobj["name"],
                                    member_ids=[m["id"] for m in mem],
                                    titles=[m["title"] for m in mem]))

    # ratings facts
    rater_count = {}
    for r in rating_rows:
        rater_count.setdefault(r["ml"], set()).add(r["user"])
    ml20 = sorted(ml_ for ml_, us in rater_count.items() if len(us) >= 20)
    assert len(ml20) >= 40, len(ml20)
    assert len(rating_rows) >= 2700
    ratings_kept = [r for r in rating_rows if r["link"]["tmdb"] is not None
                    and r["link"]["tmdb"] in kept_by_id]
    ratings_no_tmdb = [r for r in rating_rows if r["link"]["tmdb"] is None]
    ratings_rejected_movie = [r for r in rating_rows if r["link"]["tmdb"] is not None
                              and r["link"]["tmdb"] not in kept_by_id]
    kept20 = [ml_ for ml_ in ml20 if link_rows[ml_ - 1]["tmdb"] in kept_by_id]
    assert all(link_rows[i]["ml"] == i + 1 for i in range(len(link_rows)))

    # sanity on quirks
    assert sum(1 for m in kept_movies if m["vote_count"] == 2000) == 1
    assert sum(1 for m in kept_movies if m["vote_count"] == 1999) == 1
    assert sum(1 for m in kept_movies if m["vote_count"] == 2001) == 1
    assert actor_counts[0][0] >= 6 and dir_counts[0][0] >= 4
    assert declan_stats["films"] >= 6 and vance_stats["films"] >= 4
    assert budget0_rev and budget_rev and g0_none

    # ---------------------------------------------------------------- quirk table
    def M(m):
        r = mrec(m)
        d = dict(id=m["id"], line=r["line"], title=m["title"])
        return d

    quirks = []

    def add(key, letter, desc, file, items):
        quirks.append(dict(key=key, quirk=letter, file=file, description=desc, items=items))

    add("overview_embedded_newline", "a",
        "overview contains '\\n - Written by ...' inside a quoted field; record spans 2 "
        "physical lines", "movies_metadata.csv",
        [dict(M(m), lines=mrec(m)["line"], spans_lines=[mrec(m)["line"], mrec(m)["line"] + 1])
         for m in Q["overview_embedded_newline"]])
    cm = Q["char_apostrophe"][0]
    add("cast_character_apostrophe", "b",
        "cast character \"Thomas 'Tank' Whitaker\" (repr writes it in double quotes, csv "
        "doubles them)", "credits.csv",
        [dict(id=cm["id"], line=next(r for r in credit_recs if r["movie"] is cm)["line"],
              movies_line=line_of(cm))])
    add("person_name_apostrophe", "b",
        "actor \"Declan O'Shea\" (person id %d) appears in these kept movies" % declan.id,
        "credits.csv",
        [dict(id=m["id"], line=kept_credits[m["id"]]["line"]) for m in oshea_movies])
    hm = next(m for m in movies if m["title"] == "Hunter's Moon")
    add("title_apostrophe", "b", "title \"Hunter's Moon\"", "movies_metadata.csv", [M(hm)])
    add("broken_record", "c",
        "record split into two physical CSV records: first has 10 fields (adult..overview "
        "first part), second has 15 fields (overview second part .. vote_count); a naive "
        "reader sees release_date in the id column of the second record. Repaired overview = "
        "first_part + second_part (exact concatenation, second part starts with a space).",
        "movies_metadata.csv",
        [dict(id=bm["id"], line=mrec(bm)["lines"][0], second_line=mrec(bm)["lines"][1],
              title=bm["title"], overview_first_part=bm["overview_first"],
              overview_second_part=bm["overview_second"],
              repaired_overview=bm["overview"],
              naive_id_column_value=bm["date"].isoformat())])
    dup_items = []
    for m in Q["dup_identical"] + Q["dup_popularity"]:
        rs = [r for r in records if r["movie"] is m]
        dup_items.append(dict(id=m["id"], title=m["title"], lines=[r["line"] for r in rs],
                              identical=m in Q["dup_identical"],
                              popularity_first=rs[0]["rows"][0][10],
                              popularity_second=rs[1]["rows"][0][10],
                              keep_line=rs[0]["line"]))
    add("movies_duplicate_ids", "d",
        "ids appearing twice in movies_metadata; keep the FIRST occurrence in file order",
        "movies_metadata.csv", dup_items)
    add("credits_duplicate_ids", "d", "ids appearing twice in credits (identical rows)",
        "credits.csv",
        [dict(id=m["id"], lines=[r["line"] for r in credit_recs if r["movie"] is m])
         for m in Q["credits_dup"]])
    add("keywords_duplicate_ids", "d", "ids appearing twice in keywords (identical rows)",
        "keywords.csv",
        [dict(id=m["id"], lines=[r["line"] for r in kw_recs if r["movie"] is m])
         for m in Q["keywords_dup"]])
    add("empty_lists_movies", "e",
        "movie records (first occurrences and duplicates, excluding the 'abc' row) whose "
        "nested list cell is exactly []; the designated ones: genres [] on %s, all four "
        "lists [] on %d" % ([m["id"] for m in Q["genres_empty"]], am["id"]),
        "movies_metadata.csv",
        [dict(column=col, ids=ids) for col, ids in empty_col.items()] +
        [dict(designated_all_four_empty=M(am))] +
        [dict(designated_genres_empty=M(m)) for m in Q["genres_empty"]])
    cred_line = {}
    for r in credit_recs:
        cred_line.setdefault(r["id"], r["line"])
    add("credits_empty_cast_crew", "e", "credits rows with cast [] and/or crew []",
        "credits.csv",
        [dict(id=m["id"], line=cred_line[m["id"]], cast_empty=m["cast"] == [],
              crew_empty=m["crew"] == [])
         for m in sorted(Q["credits_cast_empty"] + Q["credits_crew_empty"] +
                         Q["credits_both_empty"], key=lambda m: cred_line[m["id"]])])
    add("missing_release_date", "f", "release_date cell empty (rejected)",
        "movies_metadata.csv", [M(m) for m in Q["missing_release_date"]])
    add("missing_title", "f", "title cell empty but release_date present (kept)",
        "movies_metadata.csv",
        [dict(M(m), original_title=m["original_title"], release_date=m["date"].isoformat())
         for m in Q["missing_title"]])
    add("non_ascii", "g",
        "non-English films: original_title differs from title (original_language != en); "
        "plus non-ASCII English titles", "movies_metadata.csv",
        [dict(M(m), original_title=m["original_title"], original_language=m["lang"])
         for m in orig_differs] +
        [dict(M(m), note="non-ASCII title") for m in nonascii_title])
    add("duplicate_titles", "h", "same title, different movies/ids", "movies_metadata.csv",
        [dict(title=t, movies=v) for t, v in title_dups.items()])
    add("votes_threshold", "i", "vote_count exactly 1999 / 2000 / 2001", "movies_metadata.csv",
        [dict(M(m), vote_count=m["vote_count"], vote_average=m["vote_average"],
              year=m["date"].year)
         for m in Q["votes_1999"] + Q["votes_2000"] + Q["votes_2001"]])
    tm = Q["actor_twice_same_cast"][0]
    add("actor_twice_in_cast", "j",
        "Declan O'Shea (id %d) listed twice (two roles, different cast_id/credit_id/order) in "
        "one cast" % declan.id, "credits.csv",
        [dict(id=tm["id"], line=cred_line[tm["id"]], movies_line=line_of(tm),
              characters=[c["character"] for c in tm["cast"] if c["id"] == declan.id])])
    add("prolific_people", "k", "director with 4+ films / actor with 6+ films (kept data)",
        "credits.csv",
        [dict(director="Harriet Vance", person_id=top_dir.id, **vance_stats),
         dict(actor="Declan O'Shea", person_id=declan.id, naive_cast_entries=declan_naive_entries,
              **declan_stats)])
    add("budget_zero_and_positive", "k",
        "budget 0 => return 0; designated budget 0 with revenue > 0 and budget>0 & revenue>0",
        "movies_metadata.csv",
        [dict(budget0_revenue_positive=[dict(M(m), revenue=m["revenue"]) for m in budget0_rev]),
         dict(designated_budget_and_revenue=dict(M(Q["budget_rev_pos"][0]), budget=12000000,
                                                 revenue=48000000, **{"return": 4.0}))])
    add("weekday_month", "l", "kept movies released on Wednesday / Saturday / in September",
        "movies_metadata.csv",
        [dict(wednesday_ids=wed_ids), dict(saturday_ids=sat_ids), dict(september_ids=sep_ids)])
    garbage = []
    for key in ("garbage_id_abc", "garbage_budget_lots", "garbage_genres_unparsable"):
        m = Q[key][0]
        r = mrec(m)
        garbage.append(dict(key=key, id_cell=r["rows"][0][5], title=m["title"], line=r["line"],
                            reason=r["reject"]))
    add("garbage_movies", "m", "movie rows to reject (each has 24 fields)",
        "movies_metadata.csv", garbage)
    ucm = Q["credits_cast_unparsable"][0]
    add("garbage_credits", "m", "credits rows: unparsable cast cell / id without movie",
        "credits.csv",
        [dict(key="cast_unparsable", id=ucm["id"], line=cred_line[ucm["id"]]),
         dict(key="orphan_id", id=orphan_credit_id, line=cred_line[orphan_credit_id])])
    add("garbage_keywords", "m", "keywords row for a movie id that does not exist",
        "keywords.csv",
        [dict(id=orphan_kw_id, line=next(r["line"] for r in kw_recs if r["id"] == orphan_kw_id))])
    add("collections", "n", "belongs_to_collection dict for members, empty otherwise",
        "movies_metadata.csv", collections_out)
    add("gender0_profile_none", "o",
        "kept movies whose cast has an entry with 'gender': 0 and 'profile_path': None "
        "(designated: Robin Ashdown in %d)" % Q["budget_rev_pos"][0]["id"], "credits.csv",
        [dict(ids=[m["id"] for m in g0_none])])
    add("runtime", "p", "runtime empty / 0.0 / > 300", "movies_metadata.csv",
        [dict(M(Q["runtime_empty"][0]), runtime=""),
         dict(M(Q["runtime_zero"][0]), runtime="0.0"),
         dict(M(Q["runtime_long"][0]), runtime="338.0")])
    add("two_directors", "extra", "kept movies with 2 Director crew entries", "credits.csv",
        [dict(id=m["id"], line=kept_credits[m["id"]]["line"],
              directors=[c["name"] for c in m["crew"] if c["job"] == "Director"])
         for m in two_dir])
    add("links_empty_tmdbId", "extra", "links rows with empty tmdbId (no movie)", "links.csv",
        [dict(movieId=l["ml"], imdbId="%07d" % l["imdb"], line=l["line"])
         for l in link_records if l["tmdb"] is None])
    add("status_not_released", "extra", "status other than Released", "movies_metadata.csv",
        [dict(M(m), status=m["status"]) for m in Q["status_rumored"] +
         Q["status_post_production"]])

    # ---------------------------------------------------------------- summary facts
    n_logical = sum(1 for r in records)
    rejected = [dict(line=r["line"], id_cell=r["rows"][0][5], reason=r["reject"])
                for r in records if r["reject"]]
    facts = dict(
        generator="tools/make_sample.py (random.Random(42))",
        files={f["name"]: dict(records=f["records"], physical_lines_including_header=
                               f["physical_lines"], bytes=f["bytes"], sha256=f["sha256"],
                               line_ending=f["line_ending"]) for f in files},
        movies=dict(
            physical_records=fmap["movies_metadata.csv"]["records"],
            logical_records_after_repair=n_logical,
            field_counts="24 for every record except the broken one (10 + 15)",
            rejected=rejected,
            duplicate_rows_dropped=[dict(id=r["id"], line=r["line"]) for r in dropped_dups],
            kept_distinct_ids=len(kept_movies),
            rules=["reject non-integer id", "reject garbage (non-integer) budget",
                   "reject unparsable nested cell", "reject missing release_date",
                   "drop later duplicates of an id (keep first in file order)",
                   "repair the broken record into one row (overview = first + second part)"],
        ),
        credits=dict(
            records=len(credit_recs),
            rejected_unparsable=[dict(id=r["id"], line=r["line"]) for r in credits_rejected],
            duplicate_rows_dropped=[dict(id=r["id"], line=r["line"])
                                    for r in credits_dup_dropped],
            ids_without_kept_movie=[dict(id=r["id"], line=r["line"],
                                         why="not in movies_metadata" if r["movie"] is None
                                         else "movie rejected")
                                    for r in credits_no_movie],
            kept_rows=len(kept_credits),
            kept_movies_without_credits=len([m for m in kept_movies
                                             if m["id"] not in kept_credits]),
            rules="reject unparsable cast/crew cell; drop later duplicate ids; drop ids not in "
                  "kept movies",
        ),
        keywords=dict(
            records=len(kw_recs),
            duplicate_rows_dropped=[dict(id=r["id"], line=r["line"]) for r in kw_dup_dropped],
            ids_without_kept_movie=[dict(id=r["id"], line=r["line"],
                                         why="not in movies_metadata" if r["movie"] is None
                                         else "movie rejected") for r in kw_no_movie],
            kept_rows=len(kept_kw),
            kept_rows_with_empty_list=sum(1 for r in kept_kw.values()
                                          if r["movie"]["keywords"] == []),
        ),
        links=dict(records=len(link_records),
                   empty_tmdbId=[l["ml"] for l in link_records if l["tmdb"] is None],
                   movieId_range=[1, len(link_records)],
                   mapping_to_kept_movies=sum(1 for l in link_records
                                              if l["tmdb"] in kept_by_id)),
        ratings=dict(records=len(rating_rows), users=n_users,
                     distinct_movieIds=len(rater_count),
                     movieIds_with_20plus_raters=len(ml20),
                     movieIds_with_20plus_raters_and_kept_movie=len(kept20),
                     rows_on_empty_tmdbId=len(ratings_no_tmdb),
                     rows_on_rejected_movies=len(ratings_rejected_movie),
                     rows_mapping_to_kept_movies=len(ratings_kept),
                     rating_values="0.5..5.0 in steps of 0.5 (users starting before 2003 use "
                                   "whole stars only)"),
        kept_movie_aggregates=dict(
            by_month={MONTHS_EN[i]: month_counts[i] for i in range(12)},
            by_weekday={DAYS_EN[i]: day_counts[i] for i in range(7)},
            budget_zero=len(budget0), budget_and_revenue_positive=len(budget_rev),
            budget_zero_revenue_positive=len(budget0_rev),
            vote_count_ge_2000=sum(1 for m in kept_movies if m["vote_count"] >= 2000),
            return_definition="revenue / budget if budget > 0 else 0",
            top_directors=[dict(name=n, id=i, films=c) for c, n, i in dir_counts[:5]],
            top_actors=[dict(name=n, id=i, films=c) for c, n, i in actor_counts[:5]],
            director_harriet_vance_films=vance_films,
            kept_movies_with_non_ascii_people=len(nonascii_people_movies),
        ),
        quirks=quirks,
    )

    # ---------------------------------------------------------------- write
    os.makedirs(OUT, exist_ok=True)
    for f in files:
        with open(os.path.join(OUT, f["name"]), "wb") as fh:
            fh.write(f["data"])
    with open(os.path.join(OUT, "expected.json"), "w", encoding="utf-8", newline="\n") as fh:
        json.dump(facts, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    with open(os.path.join(OUT, "EXPECTED.md"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write(render_md(facts, month_counts, day_counts))

    self_check(facts)
    for f in files:
        print("%-22s %6d records %8d bytes %s" % (f["name"], f["records"], f["bytes"],
                                                   f["sha256"][:16]))
    print("kept movies:", len(kept_movies))


# --------------------------------------------------------------------------------------
# EXPECTED.md
# --------------------------------------------------------------------------------------

def render_md(facts, month_counts, day_counts):
    L = []
    w = L.append
    w("# EXPECTED facts for `data/sample/`")
    w("")
    w("Generated by `python3 tools/make_sample.py` (stdlib only, `random.Random(42)`, "
      "byte-identical on every run). All data is invented (titles, people, companies, "
      "collections, ids); only TMDB genre ids/names and ISO country/language codes are real. "
      "Every number below is computed by the generator from its in-memory model, not by "
      "re-reading the CSVs. Machine-readable copy: `expected.json`.")
    w("")
    w("Line numbers are 1-based physical lines (header = line 1). A record with an embedded "
      "newline spans 2 lines; its number is the line where it starts.")
    w("")
    w("## Files")
    w("")
    w("| file | records (excl. header) | physical lines (incl. header) | line ending | bytes | sha256 |")
    w("|---|---|---|---|---|---|")
    for name, f in facts["files"].items():
        w("| %s | %d | %d | %s | %d | `%s` |" % (name, f["records"],
                                                  f["physical_lines_including_header"],
                                                  f["line_ending"], f["bytes"], f["sha256"]))
    w("")
    w("Headers: movies_metadata `%s`; credits `cast,crew,id`; keywords `id,keywords`; links "
      "`movieId,imdbId,tmdbId`; ratings_small `userId,movieId,rating,timestamp`." %
      ",".join(MOVIE_HEADER))
    w("")
    mv = facts["movies"]
    w("## movies_metadata.csv cleaning")
    w("")
    w("Rules, in this order: " + "; ".join(mv["rules"]) + ".")
    w("")
    w("- physical CSV records: **%d** (the broken record counts as 2)" % mv["physical_records"])
    w("- logical records after repairing the broken one: **%d**" %
      mv["logical_records_after_repair"])
    w("- rejected records: %d" % len(mv["rejected"]))
    for r in mv["rejected"]:
        w("  - line %d, id cell `%s`: %s" % (r["line"], r["id_cell"], r["reason"]))
    w("- later duplicates dropped: %d" % len(mv["duplicate_rows_dropped"]))
    for r in mv["duplicate_rows_dropped"]:
        w("  - id %d at line %d" % (r["id"], r["line"]))
    w("- **distinct movie ids kept: %d**" % mv["kept_distinct_ids"])
    w("")
    cr = facts["credits"]
    w("## credits.csv cleaning")
    w("")
    w("Rules: %s." % cr["rules"])
    w("")
    w("- records: %d" % cr["records"])
    for r in cr["rejected_unparsable"]:
        w("- unparsable cast cell: id %d, line %d" % (r["id"], r["line"]))
    for r in cr["duplicate_rows_dropped"]:
        w("- duplicate dropped: id %d, line %d" % (r["id"], r["line"]))
    for r in cr["ids_without_kept_movie"]:
        w("- id without kept movie: id %d, line %d (%s)" % (r["id"], r["line"], r["why"]))
    w("- **kept credits rows: %d**; kept movies without a usable credits row: %d" %
      (cr["kept_rows"], cr["kept_movies_without_credits"]))
    w("")
    kw = facts["keywords"]
    w("## keywords.csv cleaning")
    w("")
    w("- records: %d" % kw["records"])
    for r in kw["duplicate_rows_dropped"]:
        w("- duplicate dropped: id %d, line %d" % (r["id"], r["line"]))
    for r in kw["ids_without_kept_movie"]:
        w("- id without kept movie: id %d, line %d (%s)" % (r["id"], r["line"], r["why"]))
    w("- **kept keywords rows: %d** (of which `[]`: %d)" % (kw["kept_rows"],
                                                          kw["kept_rows_with_empty_list"]))
    w("")
    lk = facts["links"]
    w("## links.csv / ratings_small.csv")
    w("")
    w("- coverage: links, credits and keywords are generated for every distinct integer id of "
      "movies_metadata.csv, rejected movies included (so they become orphans after cleaning); "
      "the `abc` row has no credits/keywords/links row. links has one extra row per empty "
      "tmdbId (MovieLens-only titles); keywords is missing for some movies on purpose.")
    w("- links records: %d, movieId 1..%d contiguous; empty tmdbId for movieId %s; rows "
      "mapping to a kept movie: %d" % (lk["records"], lk["movieId_range"][1],
                                       lk["empty_tmdbId"], lk["mapping_to_kept_movies"]))
    rt = facts["ratings"]
    w("- ratings records: %d from %d users over %d distinct movieIds (MovieLens ids, join via "
      "links.movieId -> links.tmdbId -> movies.id)" % (rt["records"], rt["users"],
                                                      rt["distinct_movieIds"]))
    w("- movieIds with 20+ distinct raters: %d (%d of them map to kept movies)" %
      (rt["movieIds_with_20plus_raters"], rt["movieIds_with_20plus_raters_and_kept_movie"]))
    w("- rating rows on movieIds with empty tmdbId: %d; on rejected movies: %d; mapping to "
      "kept movies: %d" % (rt["rows_on_empty_tmdbId"], rt["rows_on_rejected_movies"],
                           rt["rows_mapping_to_kept_movies"]))
    w("- %s" % rt["rating_values"])
    w("")
    ag = facts["kept_movie_aggregates"]
    w("## Aggregates over the kept movies")
    w("")
    w("| month | mes | movies |")
    w("|---|---|---|")
    for i in range(12):
        es = MONTHS_ES[i] + (" / setiembre" if i == 8 else "")
        w("| %s | %s | %d |" % (MONTHS_EN[i], es, month_counts[i]))
    w("")
    w("| weekday | día | movies |")
    w("|---|---|---|")
    for i in range(7):
        w("| %s | %s | %d |" % (DAYS_EN[i], DAYS_ES[i], day_counts[i]))
    w("")
    w("- budget 0: %d; budget > 0 and revenue > 0: %d; budget 0 but revenue > 0 (return must "
      "be 0): %d" % (ag["budget_zero"], ag["budget_and_revenue_positive"],
                     ag["budget_zero_revenue_positive"]))
    w("- return = %s" % ag["return_definition"])
    w("- vote_count >= 2000: %d movies" % ag["vote_count_ge_2000"])
    w("- top directors (kept films): " + ", ".join("%s (id %d) %d" % (d["name"], d["id"],
                                                                        d["films"])
                                                  for d in ag["top_directors"]))
    w("- top actors (kept films): " + ", ".join("%s (id %d) %d" % (d["name"], d["id"],
                                                                     d["films"])
                                               for d in ag["top_actors"]))
    w("")
    w("## Quirks")
    w("")
    for q in facts["quirks"]:
        w("### (%s) %s — %s" % (q["quirk"], q["key"], q["file"]))
        w("")
        w(q["description"])
        w("")
        for it in q["items"]:
            w("- " + md_item(it))
        w("")
    return "\n".join(L) + "\n"


def md_item(it):
    parts = []
    for k, v in it.items():
        if isinstance(v, dict):
            parts.append("%s: {%s}" % (k, md_item(v)))
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            parts.append("%s: [%s]" % (k, "; ".join("{" + md_item(x) + "}" for x in v)))
        elif isinstance(v, str):
            parts.append("%s: %s" % (k, json.dumps(v, ensure_ascii=False)))
        else:
            parts.append("%s: %s" % (k, v))
    return ", ".join(parts)


# --------------------------------------------------------------------------------------
# self-check: re-read the written files (only to verify, never used for the facts)
# --------------------------------------------------------------------------------------

def self_check(facts):
    expect_fields = {"movies_metadata.csv": 24, "credits.csv": 3, "keywords.csv": 2,
                     "links.csv": 3, "ratings_small.csv": 4}
    broken = next(q for q in facts["quirks"] if q["key"] == "broken_record")["items"][0]
    for name, nf in expect_fields.items():
        with open(os.path.join(OUT, name), newline="", encoding="utf-8") as fh:
            rd = csv.reader(fh)
            n = 0
            header = next(rd)
            assert len(header) == nf
            for row in rd:
                n += 1
                start = rd.line_num - sum(c.count("\n") for c in row)
                if name == "movies_metadata.csv" and start == broken["line"]:
                    assert len(row) == 10, len(row)
                elif name == "movies_metadata.csv" and start == broken["second_line"]:
                    assert len(row) == 15, len(row)
                    assert row[5] == broken["naive_id_column_value"]
                else:
                    assert len(row) == nf, (name, start, len(row))
            assert n == facts["files"][name]["records"], (name, n)


if __name__ == "__main__":
    main()
