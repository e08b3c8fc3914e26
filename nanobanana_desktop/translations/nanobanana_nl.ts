<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="nl" sourcelanguage="en">
<context>
    <name>Composer</name>
    <message>
        <source>The first two are documented by the API; you can type any id</source>
        <translation>De eerste twee staan in de API-documentatie; je kunt elke id typen</translation>
    </message>
    <message>
        <source>Default (not sent)</source>
        <translation>Standaard (niet verzonden)</translation>
    </message>
    <message>
        <source>Send this many tasks at once; each is charged</source>
        <translation>Zoveel taken tegelijk versturen; elke taak kost credits</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>Genereren</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>Aspect ratio</source>
        <translation>Beeldverhouding</translation>
    </message>
    <message>
        <source>Image size</source>
        <translation>Resolutie</translation>
    </message>
    <message>
        <source>Variations</source>
        <translation>Variaties</translation>
    </message>
    <message>
        <source>{count} character</source>
        <translation>{count} teken</translation>
    </message>
    <message>
        <source>{count} characters</source>
        <translation>{count} tekens</translation>
    </message>
    <message>
        <source>This model makes 1K images; the size is not sent</source>
        <translation>Dit model maakt 1K-afbeeldingen; de resolutie wordt niet verzonden</translation>
    </message>
    <message>
        <source>Write a prompt first</source>
        <translation>Schrijf eerst een prompt</translation>
    </message>
    <message>
        <source>Choose a model</source>
        <translation>Kies een model</translation>
    </message>
    <message>
        <source>Waiting for a reference image to load</source>
        <translation>Wachten tot een referentieafbeelding geladen is</translation>
    </message>
    <message>
        <source>Generate (Ctrl+Enter)</source>
        <translation>Genereren (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Generate {count}</source>
        <translation>{count} genereren</translation>
    </message>
    <message>
        <source>Reading “{name}”…</source>
        <translation>“{name}” lezen…</translation>
    </message>
    <message>
        <source>Undone: your previous prompt and settings are back.</source>
        <translation>Ongedaan gemaakt: je vorige prompt en instellingen zijn terug.</translation>
    </message>
</context>
<context>
    <name>ErrorReporter</name>
    <message>
        <source>Something went wrong, and it was not your doing.</source>
        <translation>Er ging iets mis, en dat lag niet aan jou.</translation>
    </message>
    <message>
        <source>Your tasks and images are safe: they are saved the moment they exist, and unfinished tasks carry on.</source>
        <translation>Je taken en afbeeldingen zijn veilig: ze worden bewaard zodra ze bestaan, en onvoltooide taken lopen gewoon door.</translation>
    </message>
    <message>
        <source>The details are in the log: {path}</source>
        <translation>De details staan in het logboek: {path}</translation>
    </message>
    <message>
        <source>({count} more since this message appeared)</source>
        <translation>({count} meer sinds deze melding verscheen)</translation>
    </message>
</context>
<context>
    <name>Language</name>
    <message>
        <source>Unknown language “{code}”; choose one of: {languages}</source>
        <translation>Onbekende taal “{code}”; kies uit: {languages}</translation>
    </message>
    <message>
        <source>The interface has no {language} translation yet; it stays in English. Available: {languages}</source>
        <translation>Er is nog geen vertaling in het {language}; de interface blijft Engels. Beschikbaar: {languages}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Sandbox</source>
        <translation>Sandbox</translation>
    </message>
</context>
<context>
    <name>PromptEdit</name>
    <message>
        <source>Describe the image: subject, setting, light, style…  (Ctrl+Enter to generate)</source>
        <translation>Beschrijf de afbeelding: onderwerp, omgeving, licht, stijl…  (Ctrl+Enter om te genereren)</translation>
    </message>
</context>
<context>
    <name>ReferencePanel</name>
    <message>
        <source>1 saved reference was not a link or an image and was left out</source>
        <translation>1 opgeslagen referentie was geen link of afbeelding en is weggelaten</translation>
    </message>
    <message>
        <source>{count} saved references were not links or images and were left out</source>
        <translation>{count} opgeslagen referenties waren geen links of afbeeldingen en zijn weggelaten</translation>
    </message>
    <message>
        <source>Nothing in this drop can be used.</source>
        <translation>Niets van wat je hierheen sleepte is bruikbaar.</translation>
    </message>
    <message>
        <source> (and {count} more refused)</source>
        <translation> (en nog {count} geweigerd)</translation>
    </message>
    <message>
        <source>This image could not be added (unexpected error; see the log).</source>
        <translation>Deze afbeelding kon niet worden toegevoegd (onverwachte fout; zie het logboek).</translation>
    </message>
    <message>
        <source>at most {limit} references — {count} not added</source>
        <translation>hoogstens {limit} referenties — {count} niet toegevoegd</translation>
    </message>
</context>
<context>
    <name>ReferenceSlot</name>
    <message>
        <source>There is no link to add; drop an image or an http(s) image link.</source>
        <translation>Er is geen link om toe te voegen; sleep een afbeelding of een http(s)-afbeeldingslink hierheen.</translation>
    </message>
    <message>
        <source>Only base64 image data (data:image/…;base64,) can be used.</source>
        <translation>Alleen base64-afbeeldingsdata (data:image/…;base64,) is bruikbaar.</translation>
    </message>
    <message>
        <source>Links with a user name or password are not sent; remove them.</source>
        <translation>Links met een gebruikersnaam of wachtwoord worden niet verzonden; haal die eruit.</translation>
    </message>
    <message>
        <source>Typed file: links are not used; drop the file itself.</source>
        <translation>Getypte file:-links worden niet gebruikt; sleep het bestand zelf hierheen.</translation>
    </message>
    <message>
        <source>javascript: links are not images; use an http(s) image link.</source>
        <translation>javascript:-links zijn geen afbeeldingen; gebruik een http(s)-afbeeldingslink.</translation>
    </message>
    <message>
        <source>{scheme}: links cannot be used; use an http(s) image link.</source>
        <translation>{scheme}:-links zijn niet bruikbaar; gebruik een http(s)-afbeeldingslink.</translation>
    </message>
    <message>
        <source>“{text}” is not a web address; use an http(s) image link.</source>
        <translation>“{text}” is geen webadres; gebruik een http(s)-afbeeldingslink.</translation>
    </message>
    <message>
        <source>“{text}” is not a valid web address.</source>
        <translation>“{text}” is geen geldig webadres.</translation>
    </message>
    <message>
        <source>The gallery image could not be read; drag it again.</source>
        <translation>De afbeelding uit de galerij kon niet worden gelezen; sleep hem opnieuw.</translation>
    </message>
    <message>
        <source>The gallery image has neither a link nor a file.</source>
        <translation>De afbeelding uit de galerij heeft geen link en geen bestand.</translation>
    </message>
    <message>
        <source>pasted image</source>
        <translation>geplakte afbeelding</translation>
    </message>
    <message>
        <source>This could not be read (details are in the log).</source>
        <translation>Dit kon niet worden gelezen (details staan in het logboek).</translation>
    </message>
    <message>
        <source>{width}x{height} pixels, more than {limit} megapixels</source>
        <translation>{width}x{height} pixels, meer dan {limit} megapixel</translation>
    </message>
    <message>
        <source>more than {limit} megapixels</source>
        <translation>meer dan {limit} megapixel</translation>
    </message>
    <message>
        <source>not an image that can be previewed</source>
        <translation>geen afbeelding waarvan een voorbeeld te maken is</translation>
    </message>
    <message>
        <source>The embedded image is not valid base64; add the image again.</source>
        <translation>De ingesloten afbeelding is geen geldige base64; voeg de afbeelding opnieuw toe.</translation>
    </message>
    <message>
        <source>file</source>
        <translation>bestand</translation>
    </message>
    <message>
        <source>{name} cannot be read ({reason}).</source>
        <translation>{name} kan niet worden gelezen ({reason}).</translation>
    </message>
    <message>
        <source>embedded image</source>
        <translation>ingesloten afbeelding</translation>
    </message>
    <message>
        <source>The saved image cannot be used: {reason}.</source>
        <translation>De opgeslagen afbeelding is niet bruikbaar: {reason}.</translation>
    </message>
    <message>
        <source>embedded image · {size}</source>
        <translation>ingesloten afbeelding · {size}</translation>
    </message>
    <message>
        <source>the host answered HTTP {status}</source>
        <translation>de server antwoordde met HTTP {status}</translation>
    </message>
    <message>
        <source>the host sent no image within {seconds} s</source>
        <translation>de server stuurde binnen {seconds} s geen afbeelding</translation>
    </message>
    <message>
        <source>the host could not be reached ({error})</source>
        <translation>de server was niet bereikbaar ({error})</translation>
    </message>
    <message>
        <source>larger than {limit} MB</source>
        <translation>groter dan {limit} MB</translation>
    </message>
    <message>
        <source>Reference image {number}</source>
        <translation>Referentieafbeelding {number}</translation>
    </message>
    <message>
        <source>Remove this reference (Delete)</source>
        <translation>Deze referentie verwijderen (Delete)</translation>
    </message>
    <message>
        <source>Remove reference image {number}</source>
        <translation>Referentieafbeelding {number} verwijderen</translation>
    </message>
    <message>
        <source>Type or paste an image link (or double-click the slot)</source>
        <translation>Typ of plak een afbeeldingslink (of dubbelklik op het vak)</translation>
    </message>
    <message>
        <source>Link for reference image {number}</source>
        <translation>Link voor referentieafbeelding {number}</translation>
    </message>
    <message>
        <source>The clipboard holds no image and no link.</source>
        <translation>Geen afbeelding of link op het klembord.</translation>
    </message>
    <message>
        <source>Press Enter to add</source>
        <translation>Enter voegt toe</translation>
    </message>
    <message>
        <source>{width}×{height} pixels</source>
        <translation>{width}×{height} pixels</translation>
    </message>
    <message>
        <source>empty: drop an image or a link</source>
        <translation>leeg: sleep een afbeelding of link hierheen</translation>
    </message>
    <message>
        <source>could not preview</source>
        <translation>geen voorbeeld mogelijk</translation>
    </message>
    <message>
        <source>Paste</source>
        <translation>Plakken</translation>
    </message>
    <message>
        <source>Enter image link…</source>
        <translation>Afbeeldingslink invoeren…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Verwijderen</translation>
    </message>
</context>
<context>
    <name>RestoreBar</name>
    <message>
        <source>Drop one image at a time to restore its settings; to add references, drop them on the reference slots.</source>
        <translation>Sleep één afbeelding tegelijk om de instellingen ervan terug te zetten; sleep referenties naar de referentievakken.</translation>
    </message>
    <message>
        <source>prompt</source>
        <translation>prompt</translation>
    </message>
    <message>
        <source>model {model}</source>
        <translation>model {model}</translation>
    </message>
    <message>
        <source>aspect ratio {ratio}</source>
        <translation>beeldverhouding {ratio}</translation>
    </message>
    <message>
        <source>size {size}</source>
        <translation>resolutie {size}</translation>
    </message>
    <message>
        <source>1 reference</source>
        <translation>1 referentie</translation>
    </message>
    <message>
        <source>{count} references</source>
        <translation>{count} referenties</translation>
    </message>
    <message>
        <source>no references</source>
        <translation>geen referenties</translation>
    </message>
    <message>
        <source>Restored from “{name}”: {parts}.</source>
        <translation>Teruggezet uit “{name}”: {parts}.</translation>
    </message>
    <message>
        <source>Restored from “{name}” ({origin}): {parts}.</source>
        <translation>Teruggezet uit “{name}” ({origin}): {parts}.</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Ongedaan maken</translation>
    </message>
    <message>
        <source>Put back the prompt, settings and references you had before the drop</source>
        <translation>De prompt, instellingen en referenties van vóór het slepen terugzetten</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Sluiten</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>the API address</source>
        <translation>het API-adres</translation>
    </message>
    <message>
        <source>the library folder</source>
        <translation>de bibliotheekmap</translation>
    </message>
    <message>
        <source>the tracking intervals</source>
        <translation>de controle-intervallen</translation>
    </message>
    <message>
        <source>the webhook</source>
        <translation>de webhook</translation>
    </message>
    <message>
        <source>the language</source>
        <translation>de taal</translation>
    </message>
    <message>
        <source>notifications</source>
        <translation>meldingen</translation>
    </message>
    <message>
        <source>From {variable}, for this session only: it is never saved. A key saved here goes to the system keyring and is used when that variable is not set.</source>
        <translation>Uit {variable}, alleen voor deze sessie: hij wordt nooit bewaard. Een sleutel die je hier opslaat, gaat naar de sleutelbos van het systeem en wordt gebruikt als die variabele niet is ingesteld.</translation>
    </message>
    <message>
        <source>A key from the system keyring is in use.</source>
        <translation>Er wordt een sleutel uit de sleutelbos van het systeem gebruikt.</translation>
    </message>
    <message>
        <source>A key is in use for this session only: no system keyring holds it.</source>
        <translation>Er wordt alleen voor deze sessie een sleutel gebruikt: geen sleutelbos van het systeem bewaart hem.</translation>
    </message>
    <message>
        <source>The sandbox needs no key. A key saved here is used when you start without the sandbox.</source>
        <translation>De sandbox heeft geen sleutel nodig. Een sleutel die je hier opslaat, wordt gebruikt als je zonder sandbox start.</translation>
    </message>
    <message>
        <source>No key yet.</source>
        <translation>Nog geen sleutel.</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Instellingen</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Account</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Sleutel</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Tonen</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>Testen</translation>
    </message>
    <message>
        <source>Ask the API for the account&apos;s credit with this key</source>
        <translation>Met deze sleutel het tegoed van het account opvragen bij de API</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API-sleutel</translation>
    </message>
    <message>
        <source>Remove key from keyring</source>
        <translation>Sleutel uit sleutelbos verwijderen</translation>
    </message>
    <message>
        <source>No system keyring is available: a key saved here is kept for this session only, never in a file. Install and unlock one (GNOME Keyring, KWallet, macOS Keychain, Windows Credential Locker) to keep it.</source>
        <translation>Er is geen sleutelbos van het systeem beschikbaar: een sleutel die je hier opslaat, blijft alleen deze sessie bewaard, nooit in een bestand. Installeer en ontgrendel er een (GNOME Keyring, KWallet, macOS-sleutelhanger, Windows Credential Locker) om hem te bewaren.</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Meldingen</translation>
    </message>
    <message>
        <source>Notify me while the window is in the background</source>
        <translation>Meld het als het venster op de achtergrond staat</translation>
    </message>
    <message>
        <source>Finished tasks</source>
        <translation>Voltooide taken</translation>
    </message>
    <message>
        <source>A system notification, and a count in the window title until you come back to the window. Applies as soon as it is saved.</source>
        <translation>Een systeemmelding, en een teller in de venstertitel tot je terugkeert naar het venster. Geldt zodra het is opgeslagen.</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Verbinding</translation>
    </message>
    <message>
        <source>API address</source>
        <translation>API-adres</translation>
    </message>
    <message>
        <source>This and everything below applies at the next start; command-line flags win.</source>
        <translation>Dit en alles hieronder geldt vanaf de volgende start; opties op de opdrachtregel gaan voor.</translation>
    </message>
    <message>
        <source>Library</source>
        <translation>Bibliotheek</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Bladeren…</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>Map</translation>
    </message>
    <message>
        <source>{variable} is set, and wins over this folder while it is.</source>
        <translation>{variable} is ingesteld en gaat voor deze map zolang dat zo is.</translation>
    </message>
    <message>
        <source>Tracking</source>
        <translation>Opvolging</translation>
    </message>
    <message>
        <source> s</source>
        <comment>seconds</comment>
        <translation> s</translation>
    </message>
    <message>
        <source>First minute, every</source>
        <translation>Eerste minuut, elke</translation>
    </message>
    <message>
        <source>After that, every</source>
        <translation>Daarna, elke</translation>
    </message>
    <message>
        <source>How often a running task is checked. With a webhook, checks are only a fallback and run three times slower.</source>
        <translation>Hoe vaak een lopende taak wordt gecontroleerd. Met een webhook zijn controles alleen een terugvaloptie en lopen ze drie keer trager.</translation>
    </message>
    <message>
        <source>Webhooks</source>
        <translation>Webhooks</translation>
    </message>
    <message>
        <source>https://your-tunnel.example (empty: polling only)</source>
        <translation>https://jouw-tunnel.example (leeg: alleen polling)</translation>
    </message>
    <message>
        <source>Public URL</source>
        <translation>Openbare URL</translation>
    </message>
    <message>
        <source>Local port</source>
        <translation>Lokale poort</translation>
    </message>
    <message>
        <source>The public https address of a tunnel you run (cloudflared, ngrok) to the local port; the app listens on 127.0.0.1 only. For the window: commands take {flag}, and the sandbox calls back on its own.</source>
        <translation>Het openbare https-adres van een tunnel die je zelf draait (cloudflared, ngrok) naar de lokale poort; de app luistert alleen op 127.0.0.1. Dit geldt voor het venster: opdrachten op de opdrachtregel nemen {flag}, en de sandbox roept zelf terug.</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Taal</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Systeemtaal</translation>
    </message>
    <message>
        <source>Interface</source>
        <translation>Interface</translation>
    </message>
    <message>
        <source>Paste a new key to replace the one in use</source>
        <translation>Plak een nieuwe sleutel om de huidige te vervangen</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>Verbergen</translation>
    </message>
    <message>
        <source>The webhook address must start with https:// (plain http only to 127.0.0.1): give your tunnel&apos;s public address</source>
        <translation>Het webhookadres moet beginnen met https:// (gewoon http alleen naar 127.0.0.1): geef het openbare adres van je tunnel op</translation>
    </message>
    <message>
        <source>Fix the API address to test a key.</source>
        <translation>Verbeter het API-adres om een sleutel te testen.</translation>
    </message>
    <message>
        <source>Asking the API…</source>
        <translation>De API wordt gevraagd…</translation>
    </message>
    <message>
        <source>This key works: the account has {credit} credit.</source>
        <translation>Deze sleutel werkt: het account heeft {credit} tegoed.</translation>
    </message>
    <message>
        <source>The key in use works: the account has {credit} credit.</source>
        <translation>De huidige sleutel werkt: het account heeft {credit} tegoed.</translation>
    </message>
    <message>
        <source>Removing the key from the system keyring…</source>
        <translation>De sleutel wordt uit de sleutelbos van het systeem verwijderd…</translation>
    </message>
    <message>
        <source>Nothing was saved: correct the marked fields first.</source>
        <translation>Er is niets opgeslagen: verbeter eerst de gemarkeerde velden.</translation>
    </message>
    <message>
        <source>Checking the key with the API…</source>
        <translation>De sleutel wordt gecontroleerd bij de API…</translation>
    </message>
    <message>
        <source>Nothing was saved: the key could not be used.</source>
        <translation>Er is niets opgeslagen: de sleutel is niet bruikbaar.</translation>
    </message>
    <message>
        <source>Nothing to save: no setting was changed.</source>
        <translation>Niets op te slaan: er is geen instelling gewijzigd.</translation>
    </message>
    <message>
        <source>notifications are on</source>
        <translation>meldingen staan aan</translation>
    </message>
    <message>
        <source>notifications are off</source>
        <translation>meldingen staan uit</translation>
    </message>
    <message>
        <source>{setting} applies at the next start</source>
        <translation>{setting} geldt vanaf de volgende start</translation>
    </message>
    <message>
        <source>{settings} and {last}</source>
        <translation>{settings} en {last}</translation>
    </message>
    <message>
        <source>{settings} apply at the next start</source>
        <translation>{settings} gelden vanaf de volgende start</translation>
    </message>
    <message>
        <source>Saved: {changes}.</source>
        <translation>Opgeslagen: {changes}.</translation>
    </message>
    <message>
        <source>Choose the library folder</source>
        <translation>Kies de bibliotheekmap</translation>
    </message>
</context>
<context>
    <name>StatusStrip</name>
    <message>
        <source>Credit: …</source>
        <translation>Tegoed: …</translation>
    </message>
    <message>
        <source>connecting…</source>
        <translation>verbinden…</translation>
    </message>
    <message>
        <source>online</source>
        <translation>online</translation>
    </message>
    <message>
        <source>offline, retrying</source>
        <translation>offline, probeert opnieuw</translation>
    </message>
    <message>
        <source>{count} in flight</source>
        <translation>{count} bezig</translation>
    </message>
    <message>
        <source>{count} done</source>
        <translation>{count} voltooid</translation>
    </message>
    <message>
        <source>{count} failed</source>
        <translation>{count} mislukt</translation>
    </message>
    <message>
        <source>{count} needs a look</source>
        <translation>{count} vraagt aandacht</translation>
    </message>
    <message>
        <source>{count} need a look</source>
        <translation>{count} vragen aandacht</translation>
    </message>
    <message>
        <source>Used this session: {used} credit</source>
        <translation>Verbruikt deze sessie: {used} credit</translation>
    </message>
    <message>
        <source>Used this session: {used} credits</source>
        <translation>Verbruikt deze sessie: {used} credits</translation>
    </message>
    <message>
        <source>Credit: unknown</source>
        <translation>Tegoed: onbekend</translation>
    </message>
    <message>
        <source>Credit: {credit}</source>
        <translation>Tegoed: {credit}</translation>
    </message>
</context>
<context>
    <name>TaskCountSpinBox</name>
    <message>
        <source>{count} task</source>
        <translation>{count} taak</translation>
    </message>
    <message>
        <source>{count} tasks</source>
        <translation>{count} taken</translation>
    </message>
</context>
<context>
    <name>TaskNotifier</name>
    <message>
        <source>{count} image ready</source>
        <translation>{count} afbeelding klaar</translation>
    </message>
    <message>
        <source>{count} images ready</source>
        <translation>{count} afbeeldingen klaar</translation>
    </message>
    <message>
        <source>{count} task failed</source>
        <translation>{count} taak mislukt</translation>
    </message>
    <message>
        <source>{count} tasks failed</source>
        <translation>{count} taken mislukt</translation>
    </message>
    <message>
        <source>the server gave no reason</source>
        <translation>de server gaf geen reden</translation>
    </message>
    <message>
        <source>Task {id}: {reason}</source>
        <translation>Taak {id}: {reason}</translation>
    </message>
</context>
<context>
    <name>WelcomePanel</name>
    <message>
        <source>Welcome to Nano Banana Desktop</source>
        <translation>Welkom bij Nano Banana Desktop</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Tonen</translation>
    </message>
    <message>
        <source>Check and save key</source>
        <translation>Sleutel controleren en opslaan</translation>
    </message>
    <message>
        <source>Try the offline sandbox</source>
        <translation>Probeer de offline sandbox</translation>
    </message>
    <message>
        <source>Paste your API key to generate with your account. It is checked with the API first, then kept in your system keyring: never in a file or a log.</source>
        <translation>Plak je API-sleutel om met je account te genereren. Hij wordt eerst bij de API gecontroleerd en daarna bewaard in de sleutelbos van je systeem: nooit in een bestand of logboek.</translation>
    </message>
    <message>
        <source>Or, with no account and no network:</source>
        <translation>Of, zonder account en zonder netwerk:</translation>
    </message>
    <message>
        <source>The sandbox is a built-in emulator of the API on this machine: images are placeholders, marked as such, and cost nothing.</source>
        <translation>De sandbox is een ingebouwde nabootsing van de API op deze computer: afbeeldingen zijn plaatshouders, als zodanig gemarkeerd, en kosten niets.</translation>
    </message>
</context>
<context>
    <name>_ThumbView</name>
    <message>
        <source>Drop an image
or URL</source>
        <translation>Sleep hier een
afbeelding of URL</translation>
    </message>
    <message>
        <source>No preview</source>
        <translation>Geen voorbeeld</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Laden…</translation>
    </message>
</context>
</TS>
