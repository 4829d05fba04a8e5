package demo

// This file holds the embedded source data for the generator. Everything is
// compiled in as Go slices; nothing is read at run time.

// place is one real Finnish postcode with its post town and municipality.
//
// fiTown is the post town in Finnish (for Åland, where Swedish is the only
// official language, the Swedish name). svTown is the Swedish post town name
// for bilingual municipalities and Åland, or "" when the municipality is
// officially monolingual Finnish. municipality is the Finnish name of the
// municipality. fiW and svW are relative weights (roughly hundreds of
// residents) for Finnish- and Swedish-speaking members respectively.
type place struct {
	postcode     string
	fiTown       string
	svTown       string
	municipality string
	fiW, svW     uint32
	aland        bool // Åland: street names are always Swedish
}

var places = []place{
	// Helsinki / Helsingfors.
	{"00100", "Helsinki", "Helsingfors", "Helsinki", 220, 20, false},
	{"00120", "Helsinki", "Helsingfors", "Helsinki", 150, 16, false},
	{"00130", "Helsinki", "Helsingfors", "Helsinki", 100, 14, false},
	{"00140", "Helsinki", "Helsingfors", "Helsinki", 110, 20, false},
	{"00150", "Helsinki", "Helsingfors", "Helsinki", 150, 22, false},
	{"00160", "Helsinki", "Helsingfors", "Helsinki", 100, 12, false},
	{"00170", "Helsinki", "Helsingfors", "Helsinki", 160, 16, false},
	{"00180", "Helsinki", "Helsingfors", "Helsinki", 200, 15, false},
	{"00200", "Helsinki", "Helsingfors", "Helsinki", 250, 22, false},
	{"00250", "Helsinki", "Helsingfors", "Helsinki", 200, 24, false},
	{"00260", "Helsinki", "Helsingfors", "Helsinki", 180, 22, false},
	{"00300", "Helsinki", "Helsingfors", "Helsinki", 150, 10, false},
	{"00330", "Helsinki", "Helsingfors", "Helsinki", 200, 24, false},
	{"00400", "Helsinki", "Helsingfors", "Helsinki", 200, 8, false},
	{"00500", "Helsinki", "Helsingfors", "Helsinki", 250, 10, false},
	{"00530", "Helsinki", "Helsingfors", "Helsinki", 250, 9, false},
	{"00550", "Helsinki", "Helsingfors", "Helsinki", 220, 8, false},
	{"00570", "Helsinki", "Helsingfors", "Helsinki", 90, 18, false},
	{"00610", "Helsinki", "Helsingfors", "Helsinki", 180, 9, false},
	{"00700", "Helsinki", "Helsingfors", "Helsinki", 280, 6, false},
	{"00800", "Helsinki", "Helsingfors", "Helsinki", 200, 8, false},
	{"00810", "Helsinki", "Helsingfors", "Helsinki", 150, 7, false},
	{"00900", "Helsinki", "Helsingfors", "Helsinki", 200, 6, false},
	{"00920", "Helsinki", "Helsingfors", "Helsinki", 180, 5, false},
	{"00930", "Helsinki", "Helsingfors", "Helsinki", 200, 5, false},
	{"00940", "Helsinki", "Helsingfors", "Helsinki", 220, 5, false},
	{"00980", "Helsinki", "Helsingfors", "Helsinki", 350, 12, false},

	// Espoo / Esbo, Kauniainen / Grankulla, Vantaa / Vanda.
	{"02100", "Espoo", "Esbo", "Espoo", 300, 40, false},
	{"02150", "Espoo", "Esbo", "Espoo", 150, 15, false},
	{"02200", "Espoo", "Esbo", "Espoo", 250, 20, false},
	{"02230", "Espoo", "Esbo", "Espoo", 350, 20, false},
	{"02320", "Espoo", "Esbo", "Espoo", 350, 20, false},
	{"02600", "Espoo", "Esbo", "Espoo", 400, 20, false},
	{"02650", "Espoo", "Esbo", "Espoo", 250, 15, false},
	{"02770", "Espoo", "Esbo", "Espoo", 300, 15, false},
	{"02700", "Kauniainen", "Grankulla", "Kauniainen", 60, 30, false},
	{"01300", "Vantaa", "Vanda", "Vantaa", 450, 20, false},
	{"01350", "Vantaa", "Vanda", "Vantaa", 350, 10, false},
	{"01450", "Vantaa", "Vanda", "Vantaa", 400, 10, false},
	{"01600", "Vantaa", "Vanda", "Vantaa", 450, 15, false},

	// Rest of Uusimaa.
	{"02400", "Kirkkonummi", "Kyrkslätt", "Kirkkonummi", 300, 60, false},
	{"04130", "Sipoo", "Sibbo", "Sipoo", 120, 70, false},
	{"06100", "Porvoo", "Borgå", "Porvoo", 160, 75, false},
	{"06150", "Porvoo", "Borgå", "Porvoo", 160, 65, false},
	{"07900", "Loviisa", "Lovisa", "Loviisa", 90, 60, false},
	{"10600", "Tammisaari", "Ekenäs", "Raasepori", 30, 90, false},
	{"10300", "Karjaa", "Karis", "Raasepori", 40, 60, false},
	{"10900", "Hanko", "Hangö", "Hanko", 45, 35, false},
	{"10210", "Inkoo", "Ingå", "Inkoo", 20, 30, false},
	{"02580", "Siuntio", "Sjundeå", "Siuntio", 45, 18, false},
	{"08100", "Lohja", "Lojo", "Lohja", 400, 20, false},
	{"04200", "Kerava", "", "Kerava", 370, 3, false},
	{"04400", "Järvenpää", "", "Järvenpää", 450, 3, false},
	{"04300", "Tuusula", "", "Tuusula", 390, 3, false},
	{"01900", "Nurmijärvi", "", "Nurmijärvi", 440, 3, false},
	{"05800", "Hyvinkää", "", "Hyvinkää", 470, 2, false},
	{"04600", "Mäntsälä", "", "Mäntsälä", 210, 1, false},
	{"03100", "Nummela", "", "Vihti", 200, 2, false},
	{"03600", "Karkkila", "", "Karkkila", 85, 1, false},

	// Southwest Finland and Satakunta.
	{"20100", "Turku", "Åbo", "Turku", 500, 40, false},
	{"20500", "Turku", "Åbo", "Turku", 400, 25, false},
	{"20700", "Turku", "Åbo", "Turku", 400, 25, false},
	{"20780", "Kaarina", "S:t Karins", "Kaarina", 330, 25, false},
	{"21200", "Raisio", "", "Raisio", 250, 2, false},
	{"21100", "Naantali", "", "Naantali", 190, 2, false},
	{"21600", "Parainen", "Pargas", "Parainen", 65, 80, false},
	{"25700", "Kemiö", "Kimito", "Kemiönsaari", 20, 45, false},
	{"24100", "Salo", "", "Salo", 500, 3, false},
	{"23500", "Uusikaupunki", "", "Uusikaupunki", 150, 1, false},
	{"26100", "Rauma", "", "Rauma", 380, 1, false},
	{"28100", "Pori", "", "Pori", 800, 3, false},
	{"28400", "Ulvila", "", "Ulvila", 130, 0, false},
	{"32700", "Huittinen", "", "Huittinen", 100, 0, false},
	{"32200", "Loimaa", "", "Loimaa", 150, 0, false},
	{"30100", "Forssa", "", "Forssa", 160, 0, false},
	{"31400", "Somero", "", "Somero", 85, 0, false},

	// Pirkanmaa.
	{"33100", "Tampere", "", "Tampere", 600, 4, false},
	{"33200", "Tampere", "", "Tampere", 600, 3, false},
	{"33500", "Tampere", "", "Tampere", 500, 2, false},
	{"33720", "Tampere", "", "Tampere", 500, 1, false},
	{"37100", "Nokia", "", "Nokia", 340, 1, false},
	{"33470", "Ylöjärvi", "", "Ylöjärvi", 330, 1, false},
	{"36200", "Kangasala", "", "Kangasala", 330, 1, false},
	{"33960", "Pirkkala", "", "Pirkkala", 200, 1, false},
	{"37500", "Lempäälä", "", "Lempäälä", 240, 1, false},
	{"37600", "Valkeakoski", "", "Valkeakoski", 200, 0, false},
	{"38700", "Kankaanpää", "", "Kankaanpää", 110, 0, false},

	// Häme, Päijät-Häme, Kymenlaakso, South Karelia, South Savo.
	{"13100", "Hämeenlinna", "", "Hämeenlinna", 680, 2, false},
	{"11100", "Riihimäki", "", "Riihimäki", 280, 1, false},
	{"15100", "Lahti", "", "Lahti", 600, 3, false},
	{"15110", "Lahti", "", "Lahti", 600, 2, false},
	{"18100", "Heinola", "", "Heinola", 180, 0, false},
	{"16300", "Orimattila", "", "Orimattila", 160, 0, false},
	{"48100", "Kotka", "", "Kotka", 500, 2, false},
	{"45100", "Kouvola", "", "Kouvola", 800, 2, false},
	{"53100", "Lappeenranta", "", "Lappeenranta", 730, 2, false},
	{"55100", "Imatra", "", "Imatra", 250, 0, false},
	{"50100", "Mikkeli", "", "Mikkeli", 520, 1, false},
	{"57100", "Savonlinna", "", "Savonlinna", 320, 0, false},
	{"76100", "Pieksämäki", "", "Pieksämäki", 170, 0, false},

	// Central Finland, North Savo, North Karelia.
	{"40100", "Jyväskylä", "", "Jyväskylä", 700, 3, false},
	{"40520", "Jyväskylä", "", "Jyväskylä", 500, 1, false},
	{"44100", "Äänekoski", "", "Äänekoski", 180, 0, false},
	{"42100", "Jämsä", "", "Jämsä", 190, 0, false},
	{"70100", "Kuopio", "", "Kuopio", 1200, 2, false},
	{"74100", "Iisalmi", "", "Iisalmi", 200, 0, false},
	{"78200", "Varkaus", "", "Varkaus", 190, 0, false},
	{"80100", "Joensuu", "", "Joensuu", 770, 1, false},
	{"75500", "Nurmes", "", "Nurmes", 70, 0, false},
	{"81700", "Lieksa", "", "Lieksa", 100, 0, false},
	{"82500", "Kitee", "", "Kitee", 100, 0, false},

	// South Ostrobothnia.
	{"60100", "Seinäjoki", "", "Seinäjoki", 650, 2, false},
	{"62100", "Lapua", "", "Lapua", 140, 0, false},
	{"61800", "Kauhajoki", "", "Kauhajoki", 120, 0, false},

	// Ostrobothnia and Central Ostrobothnia (the Swedish-speaking coast).
	{"65100", "Vaasa", "Vasa", "Vaasa", 200, 75, false},
	{"65200", "Vaasa", "Vasa", "Vaasa", 150, 40, false},
	{"65610", "Mustasaari", "Korsholm", "Mustasaari", 60, 130, false},
	{"66100", "Maalahti", "Malax", "Maalahti", 5, 45, false},
	{"64200", "Närpiö", "Närpes", "Närpiö", 15, 75, false},
	{"64100", "Kristiinankaupunki", "Kristinestad", "Kristiinankaupunki", 25, 35, false},
	{"64260", "Kaskinen", "Kaskö", "Kaskinen", 8, 4, false},
	{"66900", "Uusikaarlepyy", "Nykarleby", "Uusikaarlepyy", 10, 60, false},
	{"68600", "Pietarsaari", "Jakobstad", "Pietarsaari", 50, 60, false},
	{"68620", "Pietarsaari", "Jakobstad", "Pietarsaari", 30, 50, false},
	{"68570", "Luoto", "Larsmo", "Luoto", 5, 50, false},
	{"68500", "Kruunupyy", "Kronoby", "Kruunupyy", 10, 50, false},
	{"67100", "Kokkola", "Karleby", "Kokkola", 400, 55, false},

	// North Ostrobothnia and Kainuu.
	{"90100", "Oulu", "", "Oulu", 600, 1, false},
	{"90130", "Oulu", "", "Oulu", 600, 1, false},
	{"90570", "Oulu", "", "Oulu", 500, 1, false},
	{"90440", "Kempele", "", "Kempele", 190, 0, false},
	{"92100", "Raahe", "", "Raahe", 240, 0, false},
	{"84100", "Ylivieska", "", "Ylivieska", 150, 0, false},
	{"93600", "Kuusamo", "", "Kuusamo", 150, 0, false},
	{"87100", "Kajaani", "", "Kajaani", 360, 1, false},

	// Lapland.
	{"96100", "Rovaniemi", "", "Rovaniemi", 640, 1, false},
	{"94100", "Kemi", "", "Kemi", 200, 0, false},
	{"95400", "Tornio", "", "Tornio", 210, 0, false},
	{"98100", "Kemijärvi", "", "Kemijärvi", 70, 0, false},
	{"99600", "Sodankylä", "", "Sodankylä", 80, 0, false},
	{"99870", "Inari", "", "Inari", 30, 0, false},
	{"99980", "Utsjoki", "", "Utsjoki", 10, 0, false},

	// Åland (Swedish only).
	{"22100", "Mariehamn", "Mariehamn", "Maarianhamina", 10, 110, true},
	{"22150", "Jomala", "Jomala", "Jomala", 3, 45, true},
}

var fiMaleNames = []string{
	"Juhani", "Johannes", "Mikael", "Olavi", "Matti", "Timo", "Jari", "Mika",
	"Antti", "Kari", "Jukka", "Markku", "Pekka", "Heikki", "Mikko", "Janne",
	"Hannu", "Juha", "Sami", "Petri", "Ville", "Tuomas", "Lauri", "Eero",
	"Aleksi", "Onni", "Eino", "Väinö", "Leo", "Elias", "Oliver", "Veeti",
	"Niilo", "Aatu", "Joonas", "Jussi", "Teemu", "Tommi", "Marko", "Pasi",
	"Jarmo", "Seppo", "Esa", "Raimo", "Pertti", "Erkki", "Ilkka", "Jouni",
	"Veikko", "Tapio", "Arto", "Risto", "Kalevi", "Otto", "Eetu", "Santeri",
	"Valtteri", "Topias", "Aarni", "Akseli", "Oskari", "Rasmus", "Iivari",
	"Lassi", "Toni", "Jyrki", "Harri", "Kimmo", "Vesa", "Ensio", "Tuukka",
	"Jaakko", "Sakari", "Ahti", "Unto",
}

var fiFemaleNames = []string{
	"Maria", "Helena", "Johanna", "Anneli", "Kaarina", "Marjatta", "Anna",
	"Liisa", "Annikki", "Hannele", "Tuula", "Päivi", "Ritva", "Sari", "Minna",
	"Tiina", "Riitta", "Leena", "Anne", "Merja", "Pirjo", "Sirpa", "Satu",
	"Eija", "Anu", "Marja", "Kirsi", "Heidi", "Laura", "Jenni", "Emma", "Aino",
	"Sofia", "Olivia", "Aada", "Helmi", "Lilja", "Ella", "Venla", "Iida",
	"Eevi", "Siiri", "Pihla", "Elli", "Ilona", "Kerttu", "Saara", "Noora",
	"Essi", "Katja", "Susanna", "Elina", "Outi", "Pauliina", "Milla", "Henna",
	"Veera", "Vilma", "Emilia", "Aili", "Hilkka", "Raija", "Terttu",
	"Sinikka", "Eila", "Aune", "Tyyne", "Kyllikki", "Hanna-Mari", "Säde",
	"Ronja", "Maija",
}

var svMaleNames = []string{
	"Anders", "Bengt", "Björn", "Carl", "Christer", "Erik", "Fredrik",
	"Gustav", "Göran", "Hans", "Henrik", "Jan", "Johan", "Kaj", "Lars",
	"Leif", "Magnus", "Mats", "Mikael", "Nils", "Olof", "Patrik", "Per",
	"Rolf", "Stefan", "Sten", "Sven", "Ulf", "Axel", "Albin", "Alvar", "Emil",
	"Hugo", "Isak", "Jonas", "Kasper", "Linus", "Ludvig", "Oscar", "Viktor",
	"Vilhelm", "Tor", "Kenneth", "Ragnar", "Roger", "Håkan", "Jesper",
}

var svFemaleNames = []string{
	"Anna", "Astrid", "Birgitta", "Britt", "Camilla", "Cecilia", "Christina",
	"Ebba", "Elin", "Elsa", "Emma", "Ester", "Gun", "Gunilla", "Hanna", "Ida",
	"Ingrid", "Johanna", "Karin", "Linnea", "Lotta", "Maj-Britt", "Malin",
	"Margareta", "Marianne", "Matilda", "Monica", "Ulla", "Sara", "Saga",
	"Sofie", "Stina", "Tove", "Ulrika", "Vera", "Wilma", "Agneta", "Barbro",
	"Greta", "Maja", "Alva", "Tilda", "Ellen", "Åsa", "Lovisa",
}

// International first names for the occasional English-speaking member.
var enMaleNames = []string{
	"James", "John", "David", "Michael", "Daniel", "Thomas", "Lukas", "Ahmed",
	"Mohamed", "Piotr", "Andrei", "Carlos", "José", "Luca", "Rajesh", "Wei",
	"Mehmet", "François", "Søren", "Tomáš",
}

var enFemaleNames = []string{
	"Emily", "Sarah", "Jessica", "Olga", "Fatima", "Amina", "Elena", "Chloé",
	"Zoë", "Renée", "Priya", "Mei", "Ayşe", "Magdalena", "Lucía", "Julia",
	"Ana", "Ines", "Natalia", "Grace",
}

var fiSurnames = []string{
	"Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen",
	"Laine", "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Lehtinen",
	"Saarinen", "Salminen", "Heinonen", "Niemi", "Heikkilä", "Kinnunen",
	"Salonen", "Turunen", "Salo", "Laitinen", "Tuominen", "Rantanen",
	"Karjalainen", "Jokinen", "Mattila", "Savolainen", "Lahtinen", "Ahonen",
	"Hiltunen", "Hirvonen", "Leinonen", "Pitkänen", "Kallio", "Miettinen",
	"Aaltonen", "Manninen", "Anttila", "Kettunen", "Kärkkäinen", "Väisänen",
	"Leppänen", "Hakala", "Koivisto", "Pulkkinen", "Mustonen", "Harju",
	"Seppälä", "Väänänen", "Rissanen", "Laaksonen", "Nurmi", "Jääskeläinen",
	"Oksanen", "Markkanen", "Lappalainen", "Peltonen", "Toivonen", "Räsänen",
	"Huttunen", "Mäki", "Aalto", "Anttonen", "Peltola", "Lampinen",
	"Honkanen", "Rautiainen", "Vainio", "Moilanen", "Partanen", "Ojala",
	"Kemppainen", "Hyvönen", "Ketola", "Hakkarainen", "Korpela", "Suominen",
	"Tikkanen", "Karvonen", "Räty", "Jokela", "Kivelä", "Ahola", "Immonen",
	"Vartiainen", "Pesonen", "Sirviö", "Hänninen", "Saarela", "Kukkonen",
	"Ikonen", "Tuomi", "Ylönen", "Kauppinen", "Pakarinen", "Karppinen",
	"Lehto", "Rinne", "Koponen", "Pöllänen", "Kolehmainen", "Eskola",
	"Hokkanen", "Kokkonen", "Niskanen",
}

var svSurnames = []string{
	"Johansson", "Karlsson", "Andersson", "Nyman", "Lindholm", "Lindqvist",
	"Lindroos", "Holmström", "Nyberg", "Sjöberg", "Björklund", "Lindström",
	"Eriksson", "Gustafsson", "Mattsson", "Nylund", "Sundström", "Öhman",
	"Forsman", "Westerlund", "Backman", "Berg", "Blomqvist", "Ekholm",
	"Engström", "Granholm", "Hagman", "Holm", "Isaksson", "Jansson",
	"Kronqvist", "Lundqvist", "Lönnqvist", "Mickelsson", "Nordström",
	"Nyholm", "Rosenberg", "Sandberg", "Sjöholm", "Strandberg", "Söderlund",
	"Wikström", "Åkerman", "Ahlström", "Bäck", "Fagerholm", "Grönroos",
	"Hellström", "Karlström", "Storbacka", "Ådahl", "Östman", "Wiklund",
	"Furu",
}

var enSurnames = []string{
	"Smith", "Brown", "Wilson", "Taylor", "O'Brien", "Müller", "Schmidt",
	"Nowak", "García", "Rossi", "Silva", "Nguyen", "Khan", "Hassan",
	"Yılmaz", "Dubois", "Jensen", "Hansen", "Novák", "Kowalski",
}

var fiStreets = []string{
	"Mannerheimintie", "Hämeentie", "Aleksanterinkatu", "Kauppakatu",
	"Koulukatu", "Rautatienkatu", "Kirkkokatu", "Puistokatu", "Rantakatu",
	"Satamakatu", "Torikatu", "Asemakatu", "Kalevankatu", "Hallituskatu",
	"Isokatu", "Pohjoisesplanadi", "Läntinen Rantakatu", "Kuninkaankatu",
	"Yliopistonkatu", "Linnankatu", "Tehtaankatu", "Myllytie", "Koivutie",
	"Pihlajatie", "Kuusitie", "Mäntytie", "Vaahterakuja", "Rantatie",
	"Kirkkotie", "Koulutie", "Metsätie", "Peltotie", "Niittytie",
	"Kalliotie", "Järvitie", "Harjutie", "Kivikuja", "Sepänkatu",
	"Pajakatu", "Keskuskatu", "Urheilukatu", "Sairaalankatu", "Opintie",
	"Kanervatie", "Ahontie", "Kettutie", "Lehtolantie", "Tammikatu",
}

var svStreets = []string{
	"Storgatan", "Kyrkogatan", "Skolgatan", "Strandgatan", "Hamngatan",
	"Torggatan", "Järnvägsgatan", "Sjögatan", "Parkgatan", "Nygatan",
	"Kungsgatan", "Esplanadgatan", "Backgränd", "Björkvägen", "Granvägen",
	"Tallvägen", "Rönnvägen", "Lönnvägen", "Ekvägen", "Strandvägen",
	"Kyrkvägen", "Skolvägen", "Skogsvägen", "Ängsvägen", "Bergsvägen",
	"Sjövägen", "Kvarnvägen", "Åkervägen", "Hagavägen", "Solvägen",
	"Smedsgatan", "Övre Strandgatan",
}

// Association name parts. Finnish names are "<town in genitive> <activity> ry",
// Swedish ones "<town> <activity> rf".
var assocFiTowns = []string{
	"Tampereen", "Helsingin", "Oulun", "Turun", "Jyväskylän", "Lahden",
	"Kuopion", "Porin", "Joensuun", "Rovaniemen", "Seinäjoen", "Kotkan",
	"Mikkelin", "Hämeenlinnan", "Lappeenrannan", "Espoon", "Vantaan",
	"Kajaanin", "Rauman", "Kokkolan", "Savonlinnan", "Keravan",
}

var assocFiKinds = []string{
	"Pyöräilijät", "Kuoro", "Mieskuoro", "Naiskuoro", "Shakkikerho",
	"Valokuvaajat", "Latu", "Hiihtäjät", "Partiolaiset", "Martat",
	"Eläkeläiset", "Kotiseutuyhdistys", "Harrastajateatteri",
	"Taideyhdistys", "Uimaseura", "Metsästysseura", "Puutarhaseura",
	"Luonnonystävät", "Kirjallisuusseura", "Soittajat", "Melojat",
	"Purjehdusseura", "Suunnistajat", "Lintuharrastajat", "Tanssiseura",
	"Kamerakerho", "Sukututkijat", "Kansantanssijat",
}

var assocSvTowns = []string{
	"Helsingfors", "Åbo", "Vasa", "Borgå", "Jakobstads", "Ekenäs", "Karleby",
	"Lovisa", "Närpes", "Mariehamns", "Esbo", "Kristinestads", "Nykarleby",
	"Pargas", "Grankulla", "Kyrkslätts", "Sibbo",
}

var assocSvKinds = []string{
	"Segelsällskap", "Manskör", "Damkör", "Idrottsförening", "Konstförening",
	"Hembygdsförening", "Skytteförening", "Scoutkår", "Schackklubb",
	"Teaterförening", "Marthaförening", "Pensionärsförening", "Fotoklubb",
	"Simsällskap", "Ungdomsförening", "Musikförening", "Trädgårdsförening",
	"Släktforskarförening",
}
