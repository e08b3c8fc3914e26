<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="nl" sourcelanguage="en">
<context>
    <name>ApiErrors</name>
    <message>
        <source>The server accepted the generation request but its answer was unreadable ({reason}). The task may have been created and charged: check the task list before sending it again</source>
        <translation>De server nam het generatieverzoek aan, maar het antwoord was onleesbaar ({reason}). De taak is misschien aangemaakt en in rekening gebracht: kijk in de takenlijst voordat je hem opnieuw verstuurt</translation>
    </message>
    <message>
        <source>The API at {url} did not accept a connection in time: check your network</source>
        <translation>De API op {url} nam de verbinding niet op tijd aan: controleer je netwerk</translation>
    </message>
    <message>
        <source>Could not connect to the API at {url} ({reason}): check your network or proxy</source>
        <translation>Kan geen verbinding maken met de API op {url} ({reason}): controleer je netwerk of proxy</translation>
    </message>
    <message>
        <source>Too many requests are waiting for a connection; try again shortly</source>
        <translation>Te veel verzoeken wachten op een verbinding; probeer het zo opnieuw</translation>
    </message>
    <message>
        <source>The generation request was sent but no answer came back ({reason}). The task may have been created and charged: check the task list before sending it again</source>
        <translation>Het generatieverzoek is verstuurd, maar er kwam geen antwoord ({reason}). De taak is misschien aangemaakt en in rekening gebracht: kijk in de takenlijst voordat je hem opnieuw verstuurt</translation>
    </message>
    <message>
        <source>timeout</source>
        <translation>time-out</translation>
    </message>
    <message>
        <source>The API did not answer {method} {path} in time</source>
        <translation>De API beantwoordde {method} {path} niet op tijd</translation>
    </message>
    <message>
        <source>The connection to the API broke during {method} {path} ({reason})</source>
        <translation>De verbinding met de API werd verbroken tijdens {method} {path} ({reason})</translation>
    </message>
    <message>
        <source>The server&apos;s answer is larger than {megabytes} MB; it was not read</source>
        <translation>Het antwoord van de server is groter dan {megabytes} MB; het is niet gelezen</translation>
    </message>
    <message>
        <source>The API address {url} is not a web address; use https://api.defapi.org</source>
        <translation>Het API-adres {url} is geen webadres; gebruik https://api.defapi.org</translation>
    </message>
    <message>
        <source>The API address {url} uses plain http, which would send your key unencrypted; use https:// (plain http is allowed only on 127.0.0.1)</source>
        <translation>Het API-adres {url} gebruikt gewoon http, waardoor je sleutel onversleuteld zou gaan; gebruik https:// (gewoon http mag alleen op 127.0.0.1)</translation>
    </message>
    <message>
        <source>The API address {url} must not carry a query, fragment or login; give only scheme, host, port and path</source>
        <translation>Het API-adres {url} mag geen query, fragment of inlog bevatten; geef alleen schema, host, poort en pad</translation>
    </message>
    <message>
        <source>The API key is empty; paste the key from your account page</source>
        <translation>De API-sleutel is leeg; plak de sleutel van je accountpagina</translation>
    </message>
    <message>
        <source>The API key holds spaces or control characters; paste it again</source>
        <translation>De API-sleutel bevat spaties of stuurtekens; plak hem opnieuw</translation>
    </message>
    <message>
        <source>The server answered with {kind} instead of JSON (HTTP {status}); a proxy or an outage may be in the way: try again shortly</source>
        <translation>De server antwoordde met {kind} in plaats van JSON (HTTP {status}); misschien zit er een proxy of storing tussen: probeer het zo opnieuw</translation>
    </message>
    <message>
        <source>a web page</source>
        <translation>een webpagina</translation>
    </message>
    <message>
        <source>malformed data</source>
        <translation>onleesbare gegevens</translation>
    </message>
    <message>
        <source>The server&apos;s answer (HTTP {status}) has no {envelope} envelope; the API may have changed: update the app or report it</source>
        <translation>Het antwoord van de server (HTTP {status}) heeft geen {envelope}-envelop; de API is misschien veranderd: werk de app bij of meld het</translation>
    </message>
    <message>
        <source>an error web page (probably from a proxy)</source>
        <translation>een foutpagina (waarschijnlijk van een proxy)</translation>
    </message>
    <message>
        <source>The API refused the request (400){suffix}. Check the prompt, model and references, then try again</source>
        <translation>De API weigerde het verzoek (400){suffix}. Controleer de prompt, het model en de referenties en probeer het opnieuw</translation>
    </message>
    <message>
        <source>The API key was refused (401): check it in Settings</source>
        <translation>De API-sleutel werd geweigerd (401): controleer hem in Instellingen</translation>
    </message>
    <message>
        <source>Your account has too little credit (402): top it up, then try again</source>
        <translation>Je account heeft te weinig tegoed (402): waardeer het op en probeer het opnieuw</translation>
    </message>
    <message>
        <source>The API key may not do this (403){suffix}. Check your account</source>
        <translation>De API-sleutel mag dit niet (403){suffix}. Controleer je account</translation>
    </message>
    <message>
        <source>Not found on the server (404){suffix}</source>
        <translation>Niet gevonden op de server (404){suffix}</translation>
    </message>
    <message>
        <source>Too many requests (429): the server asks to wait about {seconds} s</source>
        <translation>Te veel verzoeken (429): de server vraagt ongeveer {seconds} s te wachten</translation>
    </message>
    <message>
        <source>Too many requests (429): the server asks to wait a moment</source>
        <translation>Te veel verzoeken (429): de server vraagt even te wachten</translation>
    </message>
    <message>
        <source>The server had a problem ({status}){suffix}. Retrying later usually helps</source>
        <translation>De server had een probleem ({status}){suffix}. Later opnieuw proberen helpt meestal</translation>
    </message>
    <message>
        <source>The API answered with an error ({status}){suffix}</source>
        <translation>De API antwoordde met een fout ({status}){suffix}</translation>
    </message>
    <message>
        <source>The API refused the request (code {code}): {said}</source>
        <translation>De API weigerde het verzoek (code {code}): {said}</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>geen reden opgegeven</translation>
    </message>
    <message>
        <source>The server accepted the request but sent no task id; the task may still have been created: check the account&apos;s history before resubmitting</source>
        <translation>De server nam het verzoek aan, maar stuurde geen taak-id; de taak is misschien toch aangemaakt: kijk in de geschiedenis van het account voordat je opnieuw verstuurt</translation>
    </message>
    <message>
        <source>The server&apos;s account answer holds no credit balance</source>
        <translation>Het accountantwoord van de server bevat geen tegoed</translation>
    </message>
    <message>
        <source>The server&apos;s task answer holds no task data; polling will go on</source>
        <translation>Het taakantwoord van de server bevat geen taakgegevens; het opvragen gaat door</translation>
    </message>
    <message>
        <source>The server reported the unknown task status {status}; polling will go on, and an app update may know it</source>
        <translation>De server meldde de onbekende taakstatus {status}; het opvragen gaat door, en een nieuwere versie van de app kent hem misschien</translation>
    </message>
    <message>
        <source>nothing</source>
        <translation>niets</translation>
    </message>
    <message>
        <source>The server&apos;s task result is neither a list nor empty</source>
        <translation>Het taakresultaat van de server is geen lijst en niet leeg</translation>
    </message>
</context>
<context>
    <name>Cli</name>
    <message>
        <source>answer 500</source>
        <translation>antwoorden met 500</translation>
    </message>
    <message>
        <source>answer 429 with Retry-After</source>
        <translation>antwoorden met 429 en Retry-After</translation>
    </message>
    <message>
        <source>drop the connection (a generation is created first)</source>
        <translation>de verbinding verbreken (er wordt eerst een generatie aangemaakt)</translation>
    </message>
    <message>
        <source>answer after --slow-seconds</source>
        <translation>antwoorden na --slow-seconds</translation>
    </message>
    <message>
        <source>answer an HTML error page (status --html-status)</source>
        <translation>antwoorden met een HTML-foutpagina (status --html-status)</translation>
    </message>
    <message>
        <source>answer truncated JSON</source>
        <translation>antwoorden met afgekapte JSON</translation>
    </message>
    <message>
        <source>report an unknown status for running tasks</source>
        <translation>een onbekende status melden voor lopende taken</translation>
    </message>
    <message>
        <source>let tasks end failed</source>
        <translation>taken laten mislukken</translation>
    </message>
    <message>
        <source>let tasks succeed with text and no image</source>
        <translation>taken laten slagen met tekst en zonder afbeelding</translation>
    </message>
    <message>
        <source>never send the callback of a finished task</source>
        <translation>de callback van een voltooide taak nooit sturen</translation>
    </message>
    <message>
        <source>usage: </source>
        <translation>gebruik: </translation>
    </message>
    <message>
        <source>positional arguments</source>
        <translation>argumenten</translation>
    </message>
    <message>
        <source>options</source>
        <translation>opties</translation>
    </message>
    <message>
        <source>show this help message and exit</source>
        <translation>deze hulp tonen en stoppen</translation>
    </message>
    <message>
        <source>{prog}: error: {message}</source>
        <translation>{prog}: fout: {message}</translation>
    </message>
    <message>
        <source>language of the messages, e.g. en or nl (default: as the app)</source>
        <translation>taal van de meldingen, bijv. en of nl (standaard: als de app)</translation>
    </message>
    <message>
        <source>Nano Banana Desktop on the command line.</source>
        <translation>Nano Banana Desktop op de opdrachtregel.</translation>
    </message>
    <message>
        <source>show the version and exit</source>
        <translation>de versie tonen en stoppen</translation>
    </message>
    <message>
        <source>COMMAND</source>
        <translation>OPDRACHT</translation>
    </message>
    <message>
        <source>commands</source>
        <translation>opdrachten</translation>
    </message>
    <message>
        <source>run the offline emulator of the API</source>
        <translation>de offline emulator van de API starten</translation>
    </message>
    <message>
        <source>Run the offline emulator of the API on this machine. Any key that starts with dk- is accepted. Fault switches take a rate (0.3 or 30%%) or a count of the next matching requests (a whole number such as 2).</source>
        <translation>Start de offline emulator van de API op deze computer. Elke sleutel die met dk- begint, wordt geaccepteerd. Foutschakelaars nemen een kans (0.3 of 30%%) of een aantal van de eerstvolgende passende verzoeken (een geheel getal zoals 2).</translation>
    </message>
    <message>
        <source>loopback address (default %(default)s)</source>
        <translation>loopbackadres (standaard %(default)s)</translation>
    </message>
    <message>
        <source>API port (default %(default)s)</source>
        <translation>API-poort (standaard %(default)s)</translation>
    </message>
    <message>
        <source>result host port (default: any free one)</source>
        <translation>poort van de resultaatserver (standaard: een vrije)</translation>
    </message>
    <message>
        <source>timing (seconds)</source>
        <translation>timing (seconden)</translation>
    </message>
    <message>
        <source>time a task stays pending</source>
        <translation>hoe lang een taak pending blijft</translation>
    </message>
    <message>
        <source>time a task stays submitted</source>
        <translation>hoe lang een taak submitted blijft</translation>
    </message>
    <message>
        <source>time a task stays in_progress</source>
        <translation>hoe lang een taak in_progress blijft</translation>
    </message>
    <message>
        <source>each task runs up to this much longer</source>
        <translation>elke taak loopt tot zoveel langer</translation>
    </message>
    <message>
        <source>time a new task answers 404</source>
        <translation>hoe lang een nieuwe taak 404 antwoordt</translation>
    </message>
    <message>
        <source>results</source>
        <translation>resultaten</translation>
    </message>
    <message>
        <source>CDN links or inline data URIs</source>
        <translation>CDN-links of ingesloten data-URI&apos;s</translation>
    </message>
    <message>
        <source>image bytes (names always end .png)</source>
        <translation>afbeeldingsbytes (namen eindigen altijd op .png)</translation>
    </message>
    <message>
        <source>CDN links stop working after this</source>
        <translation>CDN-links werken hierna niet meer</translation>
    </message>
    <message>
        <source>images per task</source>
        <translation>afbeeldingen per taak</translation>
    </message>
    <message>
        <source>account</source>
        <translation>account</translation>
    </message>
    <message>
        <source>starting credit</source>
        <translation>begintegoed</translation>
    </message>
    <message>
        <source>a key to refuse with 401</source>
        <translation>een sleutel om met 401 te weigeren</translation>
    </message>
    <message>
        <source>seed for images and fault rates</source>
        <translation>seed voor afbeeldingen en foutkansen</translation>
    </message>
    <message>
        <source>faults (rate or count)</source>
        <translation>fouten (kans of aantal)</translation>
    </message>
    <message>
        <source>Retry-After of 429 answers</source>
        <translation>Retry-After van 429-antwoorden</translation>
    </message>
    <message>
        <source>delay of slow answers</source>
        <translation>vertraging van trage antwoorden</translation>
    </message>
    <message>
        <source>status of HTML error pages</source>
        <translation>status van HTML-foutpagina&apos;s</translation>
    </message>
    <message>
        <source>where</source>
        <translation>waar</translation>
    </message>
    <message>
        <source>use an in-process sandbox</source>
        <translation>een sandbox in dit proces gebruiken</translation>
    </message>
    <message>
        <source>API address</source>
        <translation>API-adres</translation>
    </message>
    <message>
        <source>profile folder (history, settings)</source>
        <translation>profielmap (geschiedenis, instellingen)</translation>
    </message>
    <message>
        <source>folder for saved images</source>
        <translation>map voor opgeslagen afbeeldingen</translation>
    </message>
    <message>
        <source>public URL of your tunnel to --webhook-port</source>
        <translation>openbare URL van je tunnel naar --webhook-port</translation>
    </message>
    <message>
        <source>local port for callbacks</source>
        <translation>lokale poort voor callbacks</translation>
    </message>
    <message>
        <source>generate images and save them</source>
        <translation>afbeeldingen genereren en opslaan</translation>
    </message>
    <message>
        <source>Submit, show progress on stderr, print each saved file on stdout.</source>
        <translation>Versturen, de voortgang tonen op stderr, elk opgeslagen bestand schrijven op stdout.</translation>
    </message>
    <message>
        <source>what the image should show</source>
        <translation>wat de afbeelding moet tonen</translation>
    </message>
    <message>
        <source>model id</source>
        <translation>id van het model</translation>
    </message>
    <message>
        <source>reference image (up to 4); local files are sent inline, downscaled to 5 MB</source>
        <translation>referentieafbeelding (hoogstens 4); lokale bestanden gaan ingesloten mee, verkleind tot 5 MB</translation>
    </message>
    <message>
        <source>how many tasks to submit at once (1-10)</source>
        <translation>hoeveel taken tegelijk te versturen (1-10)</translation>
    </message>
    <message>
        <source>print the task ids and return; &apos;resume&apos; saves the results</source>
        <translation>de taak-id&apos;s tonen en stoppen; &apos;resume&apos; slaat de resultaten op</translation>
    </message>
    <message>
        <source>show one task</source>
        <translation>één taak tonen</translation>
    </message>
    <message>
        <source>the local number or the server&apos;s task id</source>
        <translation>het lokale nummer of de taak-id van de server</translation>
    </message>
    <message>
        <source>list tasks, newest first</source>
        <translation>taken tonen, nieuwste eerst</translation>
    </message>
    <message>
        <source>only unfinished tasks</source>
        <translation>alleen onvoltooide taken</translation>
    </message>
    <message>
        <source>at most this many (default %(default)s)</source>
        <translation>hoogstens zoveel (standaard %(default)s)</translation>
    </message>
    <message>
        <source>wait for every unfinished task and save its results</source>
        <translation>op elke onvoltooide taak wachten en de resultaten opslaan</translation>
    </message>
    <message>
        <source>show the account&apos;s credit</source>
        <translation>het tegoed van het account tonen</translation>
    </message>
    <message>
        <source>a running sandbox&apos;s address (uses its test key)</source>
        <translation>het adres van een draaiende sandbox (gebruikt de testsleutel ervan)</translation>
    </message>
    <message>
        <source>cannot listen on {host}:{port} ({reason}); choose another port with --port</source>
        <translation>kan niet luisteren op {host}:{port} ({reason}); kies een andere poort met --port</translation>
    </message>
    <message>
        <source>Nano Banana sandbox API on {url}</source>
        <translation>Nano Banana-sandbox-API op {url}</translation>
    </message>
    <message>
        <source>  results served from {url}</source>
        <translation>  resultaten komen van {url}</translation>
    </message>
    <message>
        <source>  any key starting with dk- works, e.g. {key}</source>
        <translation>  elke sleutel die met dk- begint werkt, bijv. {key}</translation>
    </message>
    <message>
        <source>  press Ctrl+C to stop</source>
        <translation>  druk op Ctrl+C om te stoppen</translation>
    </message>
    <message>
        <source>no API key; set {variable} or use --sandbox</source>
        <translation>geen API-sleutel; stel {variable} in of gebruik --sandbox</translation>
    </message>
    <message>
        <source>task {id}: {state}: {reason}</source>
        <translation>taak {id}: {state}: {reason}</translation>
    </message>
    <message>
        <source>task {id}: {state}</source>
        <translation>taak {id}: {state}</translation>
    </message>
    <message>
        <source>task {id} image {number}: {reason}</source>
        <translation>taak {id} afbeelding {number}: {reason}</translation>
    </message>
    <message>
        <source>reference {name}: {note}</source>
        <translation>referentie {name}: {note}</translation>
    </message>
    <message>
        <source>resuming 1 task</source>
        <translation>1 taak wordt hervat</translation>
    </message>
    <message>
        <source>resuming {count} tasks</source>
        <translation>{count} taken worden hervat</translation>
    </message>
    <message>
        <source>no task {task} in this profile&apos;s history</source>
        <translation>geen taak {task} in de geschiedenis van dit profiel</translation>
    </message>
    <message>
        <source>not sent</source>
        <translation>niet verstuurd</translation>
    </message>
    <message>
        <source>task {id} ({server_id}): {state}</source>
        <translation>taak {id} ({server_id}): {state}</translation>
    </message>
    <message>
        <source>  model {model}; prompt: {prompt}</source>
        <translation>  model {model}; prompt: {prompt}</translation>
    </message>
    <message>
        <source>  credits: {credits}</source>
        <translation>  credits: {credits}</translation>
    </message>
    <message>
        <source>  image {number}: {where}</source>
        <translation>  afbeelding {number}: {where}</translation>
    </message>
    <message>
        <source>no API key; store one from the app or set {variable}</source>
        <translation>geen API-sleutel; sla er een op vanuit de app of stel {variable} in</translation>
    </message>
    <message>
        <source>credit: {credit}</source>
        <translation>tegoed: {credit}</translation>
    </message>
</context>
<context>
    <name>CompareMode</name>
    <message>
        <source>Side by side</source>
        <translation>Naast elkaar</translation>
    </message>
    <message>
        <source>Split</source>
        <translation>Splitsen</translation>
    </message>
</context>
<context>
    <name>ComparePane</name>
    <message>
        <source>image {first} and image {second}</source>
        <translation>afbeelding {first} en afbeelding {second}</translation>
    </message>
    <message>
        <source>image {letter}</source>
        <translation>afbeelding {letter}</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Laden…</translation>
    </message>
</context>
<context>
    <name>CompareView</name>
    <message>
        <source>Compare</source>
        <translation>Vergelijken</translation>
    </message>
    <message>
        <source>Swap A ⇄ B</source>
        <translation>A ⇄ B wisselen</translation>
    </message>
    <message>
        <source>Swap the images (X)</source>
        <translation>De afbeeldingen wisselen (X)</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Passend</translation>
    </message>
    <message>
        <source>Fit both (F)</source>
        <translation>Beide passend maken (F)</translation>
    </message>
    <message>
        <source>Actual size (1)</source>
        <translation>Werkelijke grootte (1)</translation>
    </message>
</context>
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
    <name>Credentials</name>
    <message>
        <source>{variable} is set but unusable: {reason}</source>
        <translation>{variable} is ingesteld maar onbruikbaar: {reason}</translation>
    </message>
    <message>
        <source>No system keyring is available to hold the API key; set {variable} for this session, or install and unlock a keyring</source>
        <translation>Er is geen sleutelbos van het systeem om de API-sleutel te bewaren; stel {variable} in voor deze sessie, of installeer en ontgrendel een sleutelbos</translation>
    </message>
    <message>
        <source>The keyring package is missing</source>
        <translation>Het pakket keyring ontbreekt</translation>
    </message>
    <message>
        <source>The key in the keyring is unusable: {reason}</source>
        <translation>De sleutel in de sleutelbos is onbruikbaar: {reason}</translation>
    </message>
    <message>
        <source>No system keyring could store the key, so it is kept for this session only. Install and unlock a keyring (GNOME Keyring, KWallet, macOS Keychain, Windows Credential Locker) to keep it.</source>
        <translation>Geen sleutelbos van het systeem kon de sleutel opslaan, dus hij blijft alleen deze sessie bewaard. Installeer en ontgrendel een sleutelbos (GNOME Keyring, KWallet, macOS-sleutelhanger, Windows Credential Locker) om hem te bewaren.</translation>
    </message>
    <message>
        <source>No key was stored in the system keyring, so there was nothing to remove.</source>
        <translation>Er stond geen sleutel in de sleutelbos van het systeem, dus er was niets te verwijderen.</translation>
    </message>
    <message>
        <source>No system keyring is available, so no key was stored there to remove.</source>
        <translation>Er is geen sleutelbos van het systeem, dus er stond ook geen sleutel om te verwijderen.</translation>
    </message>
</context>
<context>
    <name>DateRange</name>
    <message>
        <source>Any time</source>
        <translation>Altijd</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Vandaag</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Afgelopen 7 dagen</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Afgelopen 30 dagen</translation>
    </message>
</context>
<context>
    <name>Downloads</name>
    <message>
        <source>The disk that holds {folder} is full. Free some disk space, and the image will be saved on the next attempt.</source>
        <translation>De schijf met {folder} is vol. Maak ruimte vrij, dan wordt de afbeelding bij de volgende poging opgeslagen.</translation>
    </message>
    <message>
        <source>The library folder {folder} is read-only. Make it writable or choose another library folder, and the image will be saved on the next attempt.</source>
        <translation>De bibliotheekmap {folder} is alleen-lezen. Maak hem beschrijfbaar of kies een andere bibliotheekmap, dan wordt de afbeelding bij de volgende poging opgeslagen.</translation>
    </message>
    <message>
        <source>The library folder {folder} is missing. Reconnect its drive or choose the library folder again, and the image will be saved on the next attempt.</source>
        <translation>De bibliotheekmap {folder} ontbreekt. Sluit de schijf weer aan of kies de bibliotheekmap opnieuw, dan wordt de afbeelding bij de volgende poging opgeslagen.</translation>
    </message>
    <message>
        <source>The library folder {folder} is not a folder. Choose the library folder again.</source>
        <translation>De bibliotheekmap {folder} is geen map. Kies de bibliotheekmap opnieuw.</translation>
    </message>
    <message>
        <source>The image could not be written to {folder} ({reason}). Check the folder, and the image will be saved on the next attempt.</source>
        <translation>De afbeelding kon niet naar {folder} worden geschreven ({reason}). Controleer de map, dan wordt de afbeelding bij de volgende poging opgeslagen.</translation>
    </message>
    <message>
        <source>The image arrived as a data URI that is not base64-encoded.</source>
        <translation>De afbeelding kwam binnen als data-URI zonder base64-codering.</translation>
    </message>
    <message>
        <source>The inline image is larger than {megabytes} MB.</source>
        <translation>De ingesloten afbeelding is groter dan {megabytes} MB.</translation>
    </message>
    <message>
        <source>The inline image is not valid base64.</source>
        <translation>De ingesloten afbeelding is geen geldige base64.</translation>
    </message>
    <message>
        <source>The image source is not a valid web address.</source>
        <translation>De bron van de afbeelding is geen geldig webadres.</translation>
    </message>
    <message>
        <source>The image source is a {scheme}: link; only http, https and data: sources are fetched.</source>
        <translation>De bron van de afbeelding is een {scheme}:-link; alleen http-, https- en data:-bronnen worden opgehaald.</translation>
    </message>
    <message>
        <source>The image source is not a web address; only http, https and data: sources are fetched.</source>
        <translation>De bron van de afbeelding is geen webadres; alleen http-, https- en data:-bronnen worden opgehaald.</translation>
    </message>
    <message>
        <source>The image source is a web address without a host.</source>
        <translation>De bron van de afbeelding is een webadres zonder server.</translation>
    </message>
    <message>
        <source>The image could not be downloaded: {reason} ({attempts} attempts). It will be tried again later.</source>
        <translation>De afbeelding kon niet worden gedownload: {reason} ({attempts} pogingen). Dat wordt later opnieuw geprobeerd.</translation>
    </message>
    <message>
        <source>The image could not be downloaded: {reason} (1 attempt). It will be tried again later.</source>
        <translation>De afbeelding kon niet worden gedownload: {reason} (1 poging). Dat wordt later opnieuw geprobeerd.</translation>
    </message>
    <message>
        <source>The image is larger than {megabytes} MB; it was not saved.</source>
        <translation>De afbeelding is groter dan {megabytes} MB; hij is niet opgeslagen.</translation>
    </message>
    <message>
        <source>the image host sent nothing for {seconds} s</source>
        <translation>de afbeeldingsserver stuurde {seconds} s lang niets</translation>
    </message>
    <message>
        <source>The image link redirects more than {count} times; it was not followed further.</source>
        <translation>De afbeeldingslink stuurt meer dan {count} keer door; hij is niet verder gevolgd.</translation>
    </message>
    <message>
        <source>The image link redirects to something other than a web address.</source>
        <translation>De afbeeldingslink stuurt door naar iets anders dan een webadres.</translation>
    </message>
    <message>
        <source>the image host did not answer in time</source>
        <translation>de afbeeldingsserver antwoordde niet op tijd</translation>
    </message>
    <message>
        <source>the connection to the image host failed ({reason})</source>
        <translation>de verbinding met de afbeeldingsserver mislukte ({reason})</translation>
    </message>
    <message>
        <source>The image link has expired at the source (HTTP {status}). The host keeps results only for a limited time, so this image can no longer be saved.</source>
        <translation>De afbeeldingslink is bij de bron verlopen (HTTP {status}). De server bewaart resultaten maar een beperkte tijd, dus deze afbeelding kan niet meer worden opgeslagen.</translation>
    </message>
    <message>
        <source>the image host answered HTTP {status}</source>
        <translation>de afbeeldingsserver antwoordde met HTTP {status}</translation>
    </message>
    <message>
        <source>The image host refused the download (HTTP {status}).</source>
        <translation>De afbeeldingsserver weigerde de download (HTTP {status}).</translation>
    </message>
    <message>
        <source>The image is {megabytes} MB, more than the {limit} MB allowed; it was not downloaded.</source>
        <translation>De afbeelding is {megabytes} MB, meer dan de toegestane {limit} MB; hij is niet gedownload.</translation>
    </message>
    <message>
        <source>The download is not a PNG, JPEG or WebP image; it was not saved.</source>
        <translation>De download is geen PNG-, JPEG- of WebP-afbeelding; hij is niet opgeslagen.</translation>
    </message>
    <message>
        <source>The image is {width}x{height} pixels, more than the {limit} allowed; it was not saved.</source>
        <translation>De afbeelding heeft {width}x{height} pixels, meer dan de toegestane {limit}; hij is niet opgeslagen.</translation>
    </message>
    <message>
        <source>The image declares more pixels than can be decoded safely; it was not saved.</source>
        <translation>De afbeelding geeft meer pixels op dan veilig te decoderen is; hij is niet opgeslagen.</translation>
    </message>
    <message>
        <source>The {format} image is damaged or incomplete and cannot be decoded; it was not saved.</source>
        <translation>De {format}-afbeelding is beschadigd of onvolledig en kan niet worden gedecodeerd; hij is niet opgeslagen.</translation>
    </message>
</context>
<context>
    <name>Engine</name>
    <message>
        <source>The app stopped while this task was being sent; it may have been created and charged. Check your account, or resubmit it.</source>
        <translation>De app stopte terwijl deze taak werd verstuurd; hij is misschien aangemaakt en in rekening gebracht. Controleer je account, of verstuur hem opnieuw.</translation>
    </message>
    <message>
        <source>Offline, retrying: {reason}</source>
        <translation>Offline, opnieuw proberen: {reason}</translation>
    </message>
    <message>
        <source>The server no longer knows this task ({reason})</source>
        <translation>De server kent deze taak niet meer ({reason})</translation>
    </message>
    <message>
        <source>{reason}; tasks wait until the key works again</source>
        <translation>{reason}; taken wachten tot de sleutel weer werkt</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Verbonden</translation>
    </message>
    <message>
        <source>The server reported a failure</source>
        <translation>De server meldde een fout</translation>
    </message>
    <message>
        <source>The model answered in words instead of an image: {text}</source>
        <translation>Het model antwoordde met tekst in plaats van een afbeelding: {text}</translation>
    </message>
    <message>
        <source>The server reported success but sent no image</source>
        <translation>De server meldde succes, maar stuurde geen afbeelding</translation>
    </message>
    <message>
        <source>{lost} of {total} images could not be saved</source>
        <translation>{lost} van {total} afbeeldingen konden niet worden opgeslagen</translation>
    </message>
    <message>
        <source>No image could be saved</source>
        <translation>Geen enkele afbeelding kon worden opgeslagen</translation>
    </message>
    <message>
        <source>The image could not be written to {folder}: {reason}</source>
        <translation>De afbeelding kon niet naar {folder} worden geschreven: {reason}</translation>
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
    <name>Export</name>
    <message>
        <source>{name}: export writes .png, .jpg or .webp files</source>
        <translation>{name}: exporteren kan naar .png-, .jpg- of .webp-bestanden</translation>
    </message>
    <message>
        <source>{name} is no longer there</source>
        <translation>{name} is er niet meer</translation>
    </message>
    <message>
        <source>{name} cannot be read: {reason}</source>
        <translation>{name} kan niet worden gelezen: {reason}</translation>
    </message>
    <message>
        <source>{name} is {width}x{height} pixels, too many to export</source>
        <translation>{name} heeft {width}x{height} pixels, te veel om te exporteren</translation>
    </message>
    <message>
        <source>{name} is not an image that can be read ({reason})</source>
        <translation>{name} is geen leesbare afbeelding ({reason})</translation>
    </message>
    <message>
        <source>{name}: the metadata cannot be written into {format} ({reason})</source>
        <translation>{name}: de metadata kunnen niet in {format} worden geschreven ({reason})</translation>
    </message>
    <message>
        <source>The disk that holds {folder} is full; free some space and export again.</source>
        <translation>De schijf met {folder} is vol; maak ruimte vrij en exporteer opnieuw.</translation>
    </message>
    <message>
        <source>{folder} is read-only; choose another folder or make it writable.</source>
        <translation>{folder} is alleen-lezen; kies een andere map of maak hem beschrijfbaar.</translation>
    </message>
    <message>
        <source>{folder} is not there (or not a folder); choose the folder again.</source>
        <translation>{folder} bestaat niet (of is geen map); kies de map opnieuw.</translation>
    </message>
    <message>
        <source>Cannot write to {folder}: {reason}</source>
        <translation>Kan niet schrijven naar {folder}: {reason}</translation>
    </message>
</context>
<context>
    <name>GalleryDelegate</name>
    <message>
        <source>⚠
unreadable</source>
        <translation>⚠
onleesbaar</translation>
    </message>
</context>
<context>
    <name>GalleryModel</name>
    <message>
        <source>Image, starred, {prompt}</source>
        <translation>Afbeelding, met ster, {prompt}</translation>
    </message>
    <message>
        <source>Image, {prompt}</source>
        <translation>Afbeelding, {prompt}</translation>
    </message>
    <message>
        <source>The gallery could not be read: {why}</source>
        <translation>De galerij kon niet worden gelezen: {why}</translation>
    </message>
</context>
<context>
    <name>GalleryPanel</name>
    <message>
        <source>the trash refused it</source>
        <translation>de prullenbak weigerde het</translation>
    </message>
    <message>
        <source>a file of that name is there again</source>
        <translation>er staat weer een bestand met die naam</translation>
    </message>
    <message>
        <source>Search prompts</source>
        <translation>Prompts zoeken</translation>
    </message>
    <message>
        <source>All models</source>
        <translation>Alle modellen</translation>
    </message>
    <message>
        <source>★ Starred</source>
        <translation>★ Met ster</translation>
    </message>
    <message>
        <source>Show only starred images (S stars the selection)</source>
        <translation>Alleen afbeeldingen met ster tonen (S geeft de selectie een ster)</translation>
    </message>
    <message>
        <source>Showing one task&apos;s images; click to show all</source>
        <translation>De afbeeldingen van één taak; klik om alles te tonen</translation>
    </message>
    <message>
        <source>Tile size</source>
        <translation>Tegelgrootte</translation>
    </message>
    <message>
        <source>◧ Compare</source>
        <translation>◧ Vergelijken</translation>
    </message>
    <message>
        <source>Compare the two selected images (C)</source>
        <translation>De twee geselecteerde afbeeldingen vergelijken (C)</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Ongedaan maken</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuleren</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Openen</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Vergelijken</translation>
    </message>
    <message>
        <source>Save As…</source>
        <translation>Opslaan als…</translation>
    </message>
    <message>
        <source>Export selection as {format}…</source>
        <translation>Selectie exporteren als {format}…</translation>
    </message>
    <message>
        <source>Copy image</source>
        <translation>Afbeelding kopiëren</translation>
    </message>
    <message>
        <source>Copy prompt</source>
        <translation>Prompt kopiëren</translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation>Tonen in map</translation>
    </message>
    <message>
        <source>Open with default app</source>
        <translation>Openen met standaardapp</translation>
    </message>
    <message>
        <source>Use as reference</source>
        <translation>Als referentie gebruiken</translation>
    </message>
    <message>
        <source>Reuse prompt and settings</source>
        <translation>Prompt en instellingen hergebruiken</translation>
    </message>
    <message>
        <source>Star</source>
        <translation>Ster geven</translation>
    </message>
    <message>
        <source>Move to trash</source>
        <translation>Naar prullenbak</translation>
    </message>
    <message>
        <source>Undo move to trash</source>
        <translation>Naar prullenbak ongedaan maken</translation>
    </message>
    <message>
        <source>Task {id}  ✕</source>
        <translation>Taak {id}  ✕</translation>
    </message>
    <message>
        <source>1 image</source>
        <translation>1 afbeelding</translation>
    </message>
    <message>
        <source>{count} images</source>
        <translation>{count} afbeeldingen</translation>
    </message>
    <message>
        <source>No image matches these filters.</source>
        <translation>Geen afbeelding past bij deze filters.</translation>
    </message>
    <message>
        <source>No images yet.

Images you generate appear here as they are saved.</source>
        <translation>Nog geen afbeeldingen.

Afbeeldingen die je genereert verschijnen hier zodra ze zijn opgeslagen.</translation>
    </message>
    <message>
        <source>Unstar</source>
        <translation>Ster weghalen</translation>
    </message>
    <message>
        <source>Image copied</source>
        <translation>Afbeelding gekopieerd</translation>
    </message>
    <message>
        <source>Prompt copied</source>
        <translation>Prompt gekopieerd</translation>
    </message>
    <message>
        <source>Moved 1 image to the trash</source>
        <translation>1 afbeelding naar de prullenbak verplaatst</translation>
    </message>
    <message>
        <source>Moved {count} images to the trash</source>
        <translation>{count} afbeeldingen naar de prullenbak verplaatst</translation>
    </message>
    <message>
        <source>Not moved to the trash: {why}</source>
        <translation>Niet naar de prullenbak verplaatst: {why}</translation>
    </message>
    <message>
        <source>Restored 1 image</source>
        <translation>1 afbeelding teruggezet</translation>
    </message>
    <message>
        <source>Restored {count} images</source>
        <translation>{count} afbeeldingen teruggezet</translation>
    </message>
    <message>
        <source>Not restored: {why}</source>
        <translation>Niet teruggezet: {why}</translation>
    </message>
    <message>
        <source>Save image as</source>
        <translation>Afbeelding opslaan als</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG-afbeelding (*.png)</translation>
    </message>
    <message>
        <source>JPEG image (*.jpg *.jpeg)</source>
        <translation>JPEG-afbeelding (*.jpg *.jpeg)</translation>
    </message>
    <message>
        <source>WebP image (*.webp)</source>
        <translation>WebP-afbeelding (*.webp)</translation>
    </message>
    <message>
        <source>Saved {name}</source>
        <translation>{name} opgeslagen</translation>
    </message>
    <message>
        <source>Export {count} image(s) as {format} to</source>
        <translation>{count} afbeelding(en) als {format} exporteren naar</translation>
    </message>
    <message>
        <source>Exporting {count} image(s) to {folder}…</source>
        <translation>{count} afbeelding(en) exporteren naar {folder}…</translation>
    </message>
    <message>
        <source>Exported {count} image(s) to {folder}</source>
        <translation>{count} afbeelding(en) geëxporteerd naar {folder}</translation>
    </message>
    <message>
        <source> (cancelled)</source>
        <translation> (geannuleerd)</translation>
    </message>
    <message>
        <source>; {count} failed: {why}</source>
        <translation>; {count} mislukt: {why}</translation>
    </message>
</context>
<context>
    <name>ImageSettings</name>
    <message>
        <source>Aspect ratio</source>
        <translation>Beeldverhouding</translation>
    </message>
    <message>
        <source>Image size</source>
        <translation>Resolutie</translation>
    </message>
    <message>
        <source>{setting} “{value}” is not one this app offers; yours is kept.</source>
        <translation>{setting} “{value}” biedt deze app niet aan; die van jou blijft staan.</translation>
    </message>
    <message>
        <source>1 reference was pasted or dropped as a file when this image was made; the file holds no copy, so add it again if you need it.</source>
        <translation>1 referentie was geplakt of als bestand gesleept toen deze afbeelding werd gemaakt; het bestand bevat geen kopie, dus voeg hem opnieuw toe als je hem nodig hebt.</translation>
    </message>
    <message>
        <source>{count} references were pasted or dropped as a file when this image was made; the file holds no copy, so add it again if you need it.</source>
        <translation>{count} referenties waren geplakt of als bestand gesleept toen deze afbeelding werd gemaakt; het bestand bevat geen kopie, dus voeg ze opnieuw toe als je ze nodig hebt.</translation>
    </message>
    <message>
        <source>Model “{model}” is not a Nano Banana model; yours is kept.</source>
        <translation>Model “{model}” is geen Nano Banana-model; dat van jou blijft staan.</translation>
    </message>
    <message>
        <source>The negative prompt is left out: this API takes none.</source>
        <translation>De negatieve prompt is weggelaten: deze API neemt er geen.</translation>
    </message>
    <message>
        <source>Not used here: {settings}.</source>
        <translation>Hier niet gebruikt: {settings}.</translation>
    </message>
    <message>
        <source>Not used here: {settings} and {more} more.</source>
        <translation>Hier niet gebruikt: {settings} en nog {more}.</translation>
    </message>
    <message>
        <source>{name} is a folder; drop one image file.</source>
        <translation>{name} is een map; sleep één afbeeldingsbestand.</translation>
    </message>
    <message>
        <source>{name} could not be read: {reason}.</source>
        <translation>{name} kon niet worden gelezen: {reason}.</translation>
    </message>
    <message>
        <source>{name} is larger than {megabytes} MB; files that large are not read for settings.</source>
        <translation>{name} is groter dan {megabytes} MB; zulke grote bestanden worden niet op instellingen gelezen.</translation>
    </message>
    <message>
        <source>{name} is not a PNG, JPEG or WebP image (or it is damaged), so it carries no settings to restore.</source>
        <translation>{name} is geen PNG-, JPEG- of WebP-afbeelding (of is beschadigd), dus er zijn geen instellingen om terug te zetten.</translation>
    </message>
    <message>
        <source>{name} is {width}×{height} pixels; images over {megapixels} megapixels are not read for settings.</source>
        <translation>{name} is {width}×{height} pixels; afbeeldingen boven {megapixels} megapixel worden niet op instellingen gelezen.</translation>
    </message>
    <message>
        <source>{name} carries no prompt or settings. To use it as a reference image, drop it on a reference slot.</source>
        <translation>{name} bevat geen prompt of instellingen. Sleep hem naar een referentievak om hem als referentieafbeelding te gebruiken.</translation>
    </message>
</context>
<context>
    <name>ImageViewer</name>
    <message>
        <source>{name} is {width}x{height} pixels, too many to show</source>
        <translation>{name} heeft {width}x{height} pixels, te veel om te tonen</translation>
    </message>
    <message>
        <source>{name} cannot be shown: {why}</source>
        <translation>{name} kan niet worden getoond: {why}</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Afbeelding</translation>
    </message>
    <message>
        <source>Previous image (Left)</source>
        <translation>Vorige afbeelding (Links)</translation>
    </message>
    <message>
        <source>Next image (Right)</source>
        <translation>Volgende afbeelding (Rechts)</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Passend</translation>
    </message>
    <message>
        <source>Fit the window (F)</source>
        <translation>Passend in het venster (F)</translation>
    </message>
    <message>
        <source>Actual size (1)</source>
        <translation>Werkelijke grootte (1)</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <source>Copy the prompt</source>
        <translation>De prompt kopiëren</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>Copy the model</source>
        <translation>Het model kopiëren</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Resolutie</translation>
    </message>
    <message>
        <source>Copy the size</source>
        <translation>De resolutie kopiëren</translation>
    </message>
    <message>
        <source>Credits</source>
        <translation>Tegoed</translation>
    </message>
    <message>
        <source>Copy the credits</source>
        <translation>Het tegoed kopiëren</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>Taak</translation>
    </message>
    <message>
        <source>Copy the task</source>
        <translation>De taak kopiëren</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>Opgeslagen</translation>
    </message>
    <message>
        <source>Copy the saved time</source>
        <translation>Het opslagmoment kopiëren</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Bestand</translation>
    </message>
    <message>
        <source>Copy the file</source>
        <translation>Het bestand kopiëren</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopiëren</translation>
    </message>
    <message>
        <source>{number} of {total}</source>
        <translation>{number} van {total}</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Laden…</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>onbekend</translation>
    </message>
    <message>
        <source> · server id {id}</source>
        <translation> · server-id {id}</translation>
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
    <message>
        <source>Connected to {url}</source>
        <translation>Verbonden met {url}</translation>
    </message>
    <message>
        <source>Checking the key with the API…</source>
        <translation>De sleutel wordt gecontroleerd bij de API…</translation>
    </message>
    <message>
        <source>Key checked and saved in the system keyring</source>
        <translation>Sleutel gecontroleerd en bewaard in de sleutelbos van het systeem</translation>
    </message>
    <message>
        <source>Starting the sandbox…</source>
        <translation>De sandbox wordt gestart…</translation>
    </message>
    <message>
        <source>Credit: …</source>
        <translation>Tegoed: …</translation>
    </message>
    <message>
        <source>Opening your history…</source>
        <translation>Je geschiedenis wordt geopend…</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>Maken</translation>
    </message>
    <message>
        <source>Gallery</source>
        <translation>Galerij</translation>
    </message>
    <message>
        <source>Added to the composer&apos;s references</source>
        <translation>Toegevoegd aan de referenties van het maakpaneel</translation>
    </message>
    <message>
        <source>Every reference slot is taken; clear one first</source>
        <translation>Alle referentieplekken zijn bezet; maak er eerst een leeg</translation>
    </message>
    <message>
        <source>Task {id} is no longer in the history</source>
        <translation>Taak {id} staat niet meer in de geschiedenis</translation>
    </message>
    <message>
        <source>Check now</source>
        <translation>Nu controleren</translation>
    </message>
    <message>
        <source>Ask the API about the selected task at once (F5)</source>
        <translation>Vraag de API meteen naar de gekozen taak (F5)</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Opnieuw proberen</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Instellingen…</translation>
    </message>
    <message>
        <source>API key, address, library folder, tracking, language</source>
        <translation>API-sleutel, adres, bibliotheekmap, opvolging, taal</translation>
    </message>
    <message>
        <source>SANDBOX · offline emulator</source>
        <translation>SANDBOX · offline emulator</translation>
    </message>
    <message>
        <source>Images come from the built-in emulator on this machine: no account, no network, no cost.</source>
        <translation>Afbeeldingen komen van de ingebouwde emulator op deze computer: geen account, geen netwerk, geen kosten.</translation>
    </message>
    <message>
        <source>Using your API key from the system keyring or NANOBANANA_API_KEY.</source>
        <translation>Je API-sleutel komt uit de sleutelbos van het systeem of uit NANOBANANA_API_KEY.</translation>
    </message>
    <message>
        <source>Add an API key first, or start with --sandbox</source>
        <translation>Voeg eerst een API-sleutel toe, of start met --sandbox</translation>
    </message>
    <message>
        <source>Credit: unknown (no API key)</source>
        <translation>Tegoed: onbekend (geen API-sleutel)</translation>
    </message>
    <message>
        <source>No API key yet</source>
        <translation>Nog geen API-sleutel</translation>
    </message>
    <message>
        <source>Credit: unavailable</source>
        <translation>Tegoed: niet beschikbaar</translation>
    </message>
    <message>
        <source>Credit: {credit}</source>
        <translation>Tegoed: {credit}</translation>
    </message>
    <message>
        <source>The API answered</source>
        <translation>De API antwoordde</translation>
    </message>
    <message>
        <source>Connected again</source>
        <translation>Weer verbonden</translation>
    </message>
    <message>
        <source>Resubmit</source>
        <translation>Opnieuw versturen</translation>
    </message>
    <message>
        <source>{warning} (Ctrl+R)</source>
        <translation>{warning} (Ctrl+R)</translation>
    </message>
    <message>
        <source>Start a new task with the same prompt and settings (Ctrl+R)</source>
        <translation>Start een nieuwe taak met dezelfde prompt en instellingen (Ctrl+R)</translation>
    </message>
    <message>
        <source>Checking task {id}…</source>
        <translation>Taak {id} wordt gecontroleerd…</translation>
    </message>
    <message>
        <source>Task {id} sent again as task {new}</source>
        <translation>Taak {id} opnieuw verstuurd als taak {new}</translation>
    </message>
    <message>
        <source>Task {id} removed from the list; its images stay in the library</source>
        <translation>Taak {id} is uit de lijst gehaald; de afbeeldingen blijven in de bibliotheek</translation>
    </message>
    <message>
        <source>Task {id}&apos;s prompt and settings are in the composer ({note})</source>
        <translation>De prompt en instellingen van taak {id} staan in het maakpaneel ({note})</translation>
    </message>
    <message>
        <source>Task {id}&apos;s prompt and settings are in the composer</source>
        <translation>De prompt en instellingen van taak {id} staan in het maakpaneel</translation>
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
    <name>QualityDialog</name>
    <message>
        <source>Largest files; differences from the original are hard to find.</source>
        <translation>Grootste bestanden; verschillen met het origineel zijn moeilijk te vinden.</translation>
    </message>
    <message>
        <source>High: no visible loss for print or review.</source>
        <translation>Hoog: geen zichtbaar verlies voor print of beoordeling.</translation>
    </message>
    <message>
        <source>Web: small files, fine detail softens a little.</source>
        <translation>Web: kleine bestanden, fijne details worden iets zachter.</translation>
    </message>
    <message>
        <source>Small files; blocks and banding show in gradients.</source>
        <translation>Kleine bestanden; blokken en banden zichtbaar in verlopen.</translation>
    </message>
    <message>
        <source>JPEG quality</source>
        <translation>JPEG-kwaliteit</translation>
    </message>
    <message>
        <source>Save “{name}” as JPEG</source>
        <translation>“{name}” opslaan als JPEG</translation>
    </message>
    <message>
        <source>Keep the original JPEG (no second compression)</source>
        <translation>Het originele JPEG-bestand houden (geen tweede compressie)</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>Kwaliteit</translation>
    </message>
    <message>
        <source>The file is saved as it came, with its details written in.</source>
        <translation>Het bestand wordt opgeslagen zoals het kwam, met de gegevens erin geschreven.</translation>
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
    <name>References</name>
    <message>
        <source>{name} cannot be read ({reason})</source>
        <translation>{name} kan niet worden gelezen ({reason})</translation>
    </message>
    <message>
        <source>{name} is larger than 200 MB; export a smaller copy</source>
        <translation>{name} is groter dan 200 MB; exporteer een kleinere kopie</translation>
    </message>
    <message>
        <source>{name} has more than {millions} million pixels, more than can be read safely; export a smaller copy</source>
        <translation>{name} heeft meer dan {millions} miljoen pixels, meer dan veilig te lezen is; exporteer een kleinere kopie</translation>
    </message>
    <message>
        <source>{name} has {width}x{height} pixels, more than can be read safely; export a smaller copy</source>
        <translation>{name} heeft {width}x{height} pixels, meer dan veilig te lezen is; exporteer een kleinere kopie</translation>
    </message>
    <message>
        <source>{name} is a damaged or incomplete {format} file; save it again, or choose another</source>
        <translation>{name} is een beschadigd of onvolledig {format}-bestand; sla het opnieuw op, of kies een ander</translation>
    </message>
    <message>
        <source>{name} is a damaged or incomplete image file; save it again, or choose another</source>
        <translation>{name} is een beschadigd of onvolledig afbeeldingsbestand; sla het opnieuw op, of kies een ander</translation>
    </message>
    <message>
        <source>{name} is not an image the app can read (PNG, JPEG, WebP, GIF, BMP or TIFF)</source>
        <translation>{name} is geen afbeelding die de app kan lezen (PNG, JPEG, WebP, GIF, BMP of TIFF)</translation>
    </message>
    <message>
        <source>downscaled from {width}x{height} to {new_width}x{new_height} to fit {megabytes} MB</source>
        <translation>verkleind van {width}x{height} naar {new_width}x{new_height} om binnen {megabytes} MB te passen</translation>
    </message>
    <message>
        <source>converted to {format}</source>
        <translation>omgezet naar {format}</translation>
    </message>
    <message>
        <source>{name} could not be made small enough to send</source>
        <translation>{name} kon niet klein genoeg worden gemaakt om te versturen</translation>
    </message>
</context>
<context>
    <name>RequestErrors</name>
    <message>
        <source>{field}: {message}</source>
        <translation>{field}: {message}</translation>
    </message>
    <message>
        <source>choose a model, for example google/gempix2</source>
        <translation>kies een model, bijvoorbeeld google/gempix2</translation>
    </message>
    <message>
        <source>write a prompt that describes the image</source>
        <translation>schrijf een prompt die de afbeelding beschrijft</translation>
    </message>
    <message>
        <source>at most {limit} reference images are allowed; remove {excess}</source>
        <translation>hoogstens {limit} referentieafbeeldingen zijn toegestaan; verwijder er {excess}</translation>
    </message>
    <message>
        <source>{value} is not supported; use one of {choices}</source>
        <translation>{value} wordt niet ondersteund; gebruik een van {choices}</translation>
    </message>
    <message>
        <source>the embedded image is larger than 5 MB; downscale it or use a URL</source>
        <translation>de ingesloten afbeelding is groter dan 5 MB; verklein hem of gebruik een URL</translation>
    </message>
    <message>
        <source>the embedded image is not valid base64; add the image again</source>
        <translation>de ingesloten afbeelding is geen geldige base64; voeg de afbeelding opnieuw toe</translation>
    </message>
    <message>
        <source>{value} is not an http(s) URL or an image data URI; use a web address the server can reach, or a local image file</source>
        <translation>{value} is geen http(s)-URL of data-URI van een afbeelding; gebruik een webadres dat de server kan bereiken, of een lokaal afbeeldingsbestand</translation>
    </message>
    <message>
        <source>the webhook address must start with https:// (plain http only to 127.0.0.1)</source>
        <translation>het webhookadres moet met https:// beginnen (gewoon http alleen naar 127.0.0.1)</translation>
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
    <name>Session</name>
    <message>
        <source>No API key yet: add one in Settings, or try the sandbox</source>
        <translation>Nog geen API-sleutel: voeg er een toe in Instellingen, of probeer de sandbox</translation>
    </message>
    <message>
        <source>Paste a key to test it</source>
        <translation>Plak een sleutel om hem te testen</translation>
    </message>
    <message>
        <source>No system keyring could store the key, and this session uses the key from {variable}: the key you entered was not kept.</source>
        <translation>Geen sleutelbos van het systeem kon de sleutel opslaan, en deze sessie gebruikt de sleutel uit {variable}: de ingevoerde sleutel is niet bewaard.</translation>
    </message>
    <message>
        <source>Saved in the system keyring. This session keeps using the key from {variable}; the saved key is used when that is not set.</source>
        <translation>Opgeslagen in de sleutelbos van het systeem. Deze sessie blijft de sleutel uit {variable} gebruiken; de opgeslagen sleutel wordt gebruikt als die niet is ingesteld.</translation>
    </message>
    <message>
        <source>No system keyring could store the key, and the sandbox needs none: the key you entered was not kept.</source>
        <translation>Geen sleutelbos van het systeem kon de sleutel opslaan, en de sandbox heeft er geen nodig: de ingevoerde sleutel is niet bewaard.</translation>
    </message>
    <message>
        <source>Saved in the system keyring: it is used when you start without the sandbox.</source>
        <translation>Opgeslagen in de sleutelbos van het systeem: hij wordt gebruikt als je zonder sandbox start.</translation>
    </message>
    <message>
        <source>No system keyring could store the key, so it was not kept: add it on the welcome page to use it in this session.</source>
        <translation>Geen sleutelbos van het systeem kon de sleutel opslaan, dus hij is niet bewaard: voeg hem toe op de welkomstpagina om hem in deze sessie te gebruiken.</translation>
    </message>
    <message>
        <source>Saved in the system keyring: it is used from the next start.</source>
        <translation>Opgeslagen in de sleutelbos van het systeem: hij wordt vanaf de volgende start gebruikt.</translation>
    </message>
    <message>
        <source>Key checked, saved in the system keyring, and in use now.</source>
        <translation>Sleutel gecontroleerd, opgeslagen in de sleutelbos van het systeem en nu in gebruik.</translation>
    </message>
    <message>
        <source>Removed from the system keyring.</source>
        <translation>Verwijderd uit de sleutelbos van het systeem.</translation>
    </message>
    <message>
        <source>{what} This session uses the key from {variable}, which is never saved.</source>
        <translation>{what} Deze sessie gebruikt de sleutel uit {variable}, die nooit wordt bewaard.</translation>
    </message>
    <message>
        <source>Removed from the system keyring. This session keeps using it until you quit; the next start asks for a key.</source>
        <translation>Verwijderd uit de sleutelbos van het systeem. Deze sessie blijft hem gebruiken tot je afsluit; bij de volgende start wordt om een sleutel gevraagd.</translation>
    </message>
    <message>
        <source>{damage}, and it could not be moved aside ({reason}); move or delete {path} yourself, then start again</source>
        <translation>{damage}, en het kon niet opzij worden gezet ({reason}); verplaats of verwijder {path} zelf en start opnieuw</translation>
    </message>
    <message>
        <source>The history database could not be read, so a new, empty history was started.
The damaged file was moved aside to {path}. Images already saved stay in the library folder, but earlier tasks are no longer listed in the app.</source>
        <translation>De geschiedenisdatabase kon niet worden gelezen, dus er is een nieuwe, lege geschiedenis begonnen.
Het beschadigde bestand is opzijgezet als {path}. Al opgeslagen afbeeldingen blijven in de bibliotheekmap, maar eerdere taken staan niet meer in de app.</translation>
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
    <name>Store</name>
    <message>
        <source>The history database was written by a newer version of the app (schema {found}, this app knows {known}); update the app</source>
        <translation>De geschiedenisdatabase is geschreven door een nieuwere versie van de app (schema {found}, deze app kent {known}); werk de app bij</translation>
    </message>
    <message>
        <source>The history database {path} cannot be opened ({reason}); check that it is a file you may read and write</source>
        <translation>De geschiedenisdatabase {path} kan niet worden geopend ({reason}); controleer of het een bestand is dat je mag lezen en schrijven</translation>
    </message>
    <message>
        <source>The history database {path} is damaged</source>
        <translation>De geschiedenisdatabase {path} is beschadigd</translation>
    </message>
    <message>
        <source>The history database {path} is damaged ({reason})</source>
        <translation>De geschiedenisdatabase {path} is beschadigd ({reason})</translation>
    </message>
    <message>
        <source>The history database {path} cannot be read: {reason}</source>
        <translation>De geschiedenisdatabase {path} kan niet worden gelezen: {reason}</translation>
    </message>
    <message>
        <source>The history database is closed</source>
        <translation>De geschiedenisdatabase is gesloten</translation>
    </message>
    <message>
        <source>Task {id} is {state}; it can be removed from the list once it has finished</source>
        <translation>Taak {id} heeft de status ‘{state}’; je kunt hem uit de lijst halen zodra hij klaar is</translation>
    </message>
</context>
<context>
    <name>TaskCard</name>
    <message>
        <source>done in {time}</source>
        <translation>klaar in {time}</translation>
    </message>
    <message>
        <source>failed after {time}</source>
        <translation>mislukt na {time}</translation>
    </message>
    <message>
        <source>1 ref</source>
        <translation>1 ref.</translation>
    </message>
    <message>
        <source>{count} refs</source>
        <translation>{count} ref.</translation>
    </message>
    <message>
        <source>{credits} credit</source>
        <translation>{credits} credit</translation>
    </message>
    <message>
        <source>{credits} credits</source>
        <translation>{credits} credits</translation>
    </message>
    <message>
        <source>(no prompt)</source>
        <translation>(geen prompt)</translation>
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
    <name>TaskFilter</name>
    <message>
        <source>All</source>
        <translation>Alle</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Actief</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Voltooid</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Mislukt</translation>
    </message>
</context>
<context>
    <name>TaskList</name>
    <message>
        <source>{seconds} s</source>
        <translation>{seconds} s</translation>
    </message>
    <message>
        <source>Task {id}, {state}: {prompt}</source>
        <translation>Taak {id}, {state}: {prompt}</translation>
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
        <source>Task {id} · {state} · started {time}</source>
        <translation>Taak {id} · {state} · gestart {time}</translation>
    </message>
    <message>
        <source>Credits: {credits}</source>
        <translation>Credits: {credits}</translation>
    </message>
    <message>
        <source>Server task id: {id}</source>
        <translation>Taak-id op de server: {id}</translation>
    </message>
    <message>
        <source>Sent again from task {id}</source>
        <translation>Opnieuw verstuurd vanuit taak {id}</translation>
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
    <name>TaskPanel</name>
    <message>
        <source>The answer to this task never arrived: the server may have made it and charged for it. Resubmitting sends it again, and may be charged a second time.</source>
        <translation>Het antwoord op deze taak is nooit aangekomen: de server heeft hem misschien gemaakt en in rekening gebracht. Opnieuw versturen stuurt hem nog een keer, en kan een tweede keer kosten.</translation>
    </message>
    <message>
        <source>Nothing is running.</source>
        <translation>Er loopt niets.</translation>
    </message>
    <message>
        <source>No finished tasks yet.</source>
        <translation>Nog geen voltooide taken.</translation>
    </message>
    <message>
        <source>Nothing failed.

Tasks that fail, or whose outcome is unknown, show here to retry or resubmit.</source>
        <translation>Niets mislukt.

Taken die mislukken, of waarvan de uitkomst onbekend is, verschijnen hier om opnieuw te proberen of opnieuw te versturen.</translation>
    </message>
    <message>
        <source>No tasks yet.

Tasks you start here or with `nanobanana generate` appear in this list and are followed until their images are saved.</source>
        <translation>Nog geen taken.

Taken die je hier of met `nanobanana generate` start, verschijnen in deze lijst en worden gevolgd tot hun afbeeldingen zijn opgeslagen.</translation>
    </message>
    <message>
        <source>Task {id} — {state}: {reason}</source>
        <translation>Taak {id} — {state}: {reason}</translation>
    </message>
    <message>
        <source>Check now</source>
        <translation>Nu controleren</translation>
    </message>
    <message>
        <source>Ask the API about this task at once</source>
        <translation>Vraag de API meteen naar deze taak</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Opnieuw proberen</translation>
    </message>
    <message>
        <source>Start a new task with the same prompt and settings</source>
        <translation>Start een nieuwe taak met dezelfde prompt en instellingen</translation>
    </message>
    <message>
        <source>Resubmit — it may already have been charged once</source>
        <translation>Opnieuw versturen — misschien al een keer in rekening gebracht</translation>
    </message>
    <message>
        <source>Reuse in composer</source>
        <translation>Hergebruiken in het maakpaneel</translation>
    </message>
    <message>
        <source>Put this task&apos;s prompt, model, options and references in the composer</source>
        <translation>De prompt, het model, de opties en de referenties van deze taak in het maakpaneel zetten</translation>
    </message>
    <message>
        <source>Copy prompt</source>
        <translation>Prompt kopiëren</translation>
    </message>
    <message>
        <source>Copy task id</source>
        <translation>Taak-id kopiëren</translation>
    </message>
    <message>
        <source>The server&apos;s id for this task, for support or the API</source>
        <translation>De id van deze taak op de server, voor support of de API</translation>
    </message>
    <message>
        <source>The server never gave this task an id</source>
        <translation>De server heeft deze taak nooit een id gegeven</translation>
    </message>
    <message>
        <source>Show in gallery</source>
        <translation>Tonen in galerij</translation>
    </message>
    <message>
        <source>This task has no saved images</source>
        <translation>Deze taak heeft geen opgeslagen afbeeldingen</translation>
    </message>
    <message>
        <source>Remove from list</source>
        <translation>Uit lijst verwijderen</translation>
    </message>
    <message>
        <source>Hide this task from the list; its images stay in the library</source>
        <translation>Deze taak uit de lijst halen; de afbeeldingen blijven in de bibliotheek</translation>
    </message>
    <message>
        <source>Still running: it can be removed once it has finished</source>
        <translation>Loopt nog: je kunt hem verwijderen zodra hij klaar is</translation>
    </message>
    <message>
        <source>Prompt of task {id} copied</source>
        <translation>Prompt van taak {id} gekopieerd</translation>
    </message>
    <message>
        <source>Task id {id} copied</source>
        <translation>Taak-id {id} gekopieerd</translation>
    </message>
</context>
<context>
    <name>TaskState</name>
    <message>
        <source>sending</source>
        <translation>verzenden</translation>
    </message>
    <message>
        <source>outcome unknown: may have been charged</source>
        <translation>uitkomst onbekend: mogelijk in rekening gebracht</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>wachten</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>in de wachtrij</translation>
    </message>
    <message>
        <source>generating</source>
        <translation>genereren</translation>
    </message>
    <message>
        <source>saving</source>
        <translation>opslaan</translation>
    </message>
    <message>
        <source>still running on the server</source>
        <translation>loopt nog op de server</translation>
    </message>
    <message>
        <source>done</source>
        <translation>klaar</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>mislukt</translation>
    </message>
</context>
<context>
    <name>ThumbnailImages</name>
    <message>
        <source>The thumbnail could not be made (see the log)</source>
        <translation>De miniatuur kon niet worden gemaakt (zie het logboek)</translation>
    </message>
</context>
<context>
    <name>Thumbnails</name>
    <message>
        <source>{name} is no longer there</source>
        <translation>{name} is er niet meer</translation>
    </message>
    <message>
        <source>{name} cannot be read: {reason}</source>
        <translation>{name} kan niet worden gelezen: {reason}</translation>
    </message>
    <message>
        <source>{name} is not an image that can be read ({reason})</source>
        <translation>{name} is geen leesbare afbeelding ({reason})</translation>
    </message>
    <message>
        <source>{name} has too many pixels to make a thumbnail safely</source>
        <translation>{name} heeft te veel pixels om veilig een miniatuur van te maken</translation>
    </message>
    <message>
        <source>{name} is too large to decode in memory</source>
        <translation>{name} is te groot om in het geheugen te decoderen</translation>
    </message>
    <message>
        <source>{name} is {width}x{height} pixels, too many to make a thumbnail safely (the limit is {limit} megapixels)</source>
        <translation>{name} heeft {width}x{height} pixels, te veel om veilig een miniatuur van te maken (de grens is {limit} megapixel)</translation>
    </message>
    <message>
        <source>The thumbnail cache {folder} cannot be written: {reason}</source>
        <translation>De miniaturencache {folder} kan niet worden beschreven: {reason}</translation>
    </message>
</context>
<context>
    <name>Webhooks</name>
    <message>
        <source>The webhook&apos;s public address {url} must start with https:// (plain http only to 127.0.0.1); use the https address your tunnel shows</source>
        <translation>Het openbare adres van de webhook, {url}, moet met https:// beginnen (gewoon http alleen naar 127.0.0.1); gebruik het https-adres dat je tunnel toont</translation>
    </message>
    <message>
        <source>The webhook&apos;s public address {url} must not carry a query, fragment or login; give only scheme, host, port and path</source>
        <translation>Het openbare adres van de webhook, {url}, mag geen query, fragment of inlog bevatten; geef alleen schema, host, poort en pad</translation>
    </message>
    <message>
        <source>The webhook receiver listens on loopback only (127.0.0.1, ::1 or localhost), not on {host}: the tunnel is what makes it reachable</source>
        <translation>De webhookontvanger luistert alleen op loopback (127.0.0.1, ::1 of localhost), niet op {host}: de tunnel maakt hem bereikbaar</translation>
    </message>
    <message>
        <source>The webhook receiver would listen on {address}, not loopback</source>
        <translation>De webhookontvanger zou op {address} luisteren, niet op loopback</translation>
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
