"""Fixed vocabularies the generator draws from.

Only generic vocabulary is real (TMDB genre ids/names, ISO country/language codes, the
native language names TMDB uses); every title, person, company and collection is
invented.  The per-theme word pools live in themes.py.
"""

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

# characters of the random poster/profile paths
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

# --------------------------------------------------------------------------------------
# Titles placed on purpose
# --------------------------------------------------------------------------------------
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

# One title shared by different movies, as in the real file: (title, theme, year)
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

# --------------------------------------------------------------------------------------
# Companies
# --------------------------------------------------------------------------------------
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

# --------------------------------------------------------------------------------------
# People and character names
# --------------------------------------------------------------------------------------
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
