"""Make the narrated screencast of the mediawiki-api-basics pack, its captions and transcript.

Run from this folder: ``python make_video.py``. It needs Pillow (from PyPI: ``pip install
pillow``) and two Debian packages: ``espeak-ng`` (the narrator's voice) and ``ffmpeg``
(``apt-get install espeak-ng ffmpeg``). It writes:

- ``how-a-tool-reads-a-wiki.webm``: six slides drawn with Pillow, each shown while espeak-ng reads
  its narration; VP9 video and Opus audio, assembled by ffmpeg;
- ``how-a-tool-reads-a-wiki.<lang>.vtt``: WebVTT captions in English, French, Spanish and Arabic,
  timed from the length of each slide's narration (each sentence gets a share of its slide's
  time in proportion to its length);
- ``how-a-tool-reads-a-wiki.transcript.txt``: the English transcript.

The narration below is the English caption text; ``SPOKEN`` rewrites the few words a speech
synthesizer would misread (``api.php``, ``=``).
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).parent
NAME = "how-a-tool-reads-a-wiki"
SIZE = (960, 540)
FONTS = Path("/usr/share/fonts/truetype")
SANS = FONTS / "dejavu/DejaVuSans.ttf"
BOLD = FONTS / "dejavu/DejaVuSans-Bold.ttf"
MONO = FONTS / "dejavu/DejaVuSansMono.ttf"
BLUE, INK, CODE_BG = (51, 102, 204), (32, 33, 34), (234, 236, 240)
PAUSE = 0.6  # seconds of silence after each slide's narration

# Each slide: a title, lines to draw ("`" starts a code line), and its narration, one sentence
# per caption cue, in each caption language.
SLIDES = [
    {
        "title": "How a tool reads a wiki",
        "lines": ["MediaWiki Action API basics", "", "bots · gadgets · research tools"],
        "say": {
            "en": [
                "How does a tool read a wiki?",
                "Bots, gadgets and research tools all read Wikimedia wikis through the same door: the Action API.",
            ],
            "fr": [
                "Comment un outil lit-il un wiki ?",
                "Robots, gadgets et outils de recherche lisent tous les wikis Wikimédia par la même porte : l’API Action.",
            ],
            "es": [
                "¿Cómo lee un wiki una herramienta?",
                "Bots, gadgets y herramientas de investigación leen los wikis de Wikimedia por la misma puerta: la API de acciones.",
            ],
            "ar": [
                "كيف تقرأ أداةٌ ويكي؟",
                "البوتات والأدوات الذكية وأدوات البحث كلها تقرأ ويكيات ويكيميديا من الباب نفسه: واجهة برمجة التطبيقات Action API.",
            ],
        },
    },
    {
        "title": "One address: api.php",
        "lines": [
            "`https://en.wikipedia.org/w/api.php",
            "",
            "`action=query",
            "`format=json",
            "`formatversion=2",
        ],
        "say": {
            "en": [
                "Every wiki has one address for it, ending in api.php.",
                "A request is a set of parameters: action=query asks for data.",
                "format=json and formatversion=2 give you modern JSON.",
            ],
            "fr": [
                "Chaque wiki lui réserve une adresse, qui se termine par api.php.",
                "Une requête est un ensemble de paramètres : action=query demande des données.",
                "format=json et formatversion=2 vous donnent du JSON moderne.",
            ],
            "es": [
                "Cada wiki tiene una dirección para ella, que termina en api.php.",
                "Una petición es un conjunto de parámetros: action=query pide datos.",
                "format=json y formatversion=2 te dan JSON moderno.",
            ],
            "ar": [
                "لكل ويكي عنوان واحد لها، ينتهي بـ api.php.",
                "الطلب مجموعة من المعاملات: action=query يطلب بيانات.",
                "و format=json و formatversion=2 يعطيانك JSON حديثًا.",
            ],
        },
    },
    {
        "title": "Say what you want",
        "lines": [
            "`prop=info        about pages",
            "`list=categorymembers   lists of pages",
            "`meta=siteinfo    about the wiki",
            "",
            "`titles=A|B|C     up to 50 titles",
        ],
        "say": {
            "en": [
                "prop asks about pages, list asks for lists of pages, and meta asks about the wiki itself.",
                "You can ask about up to fifty titles in one request: join them with a vertical bar.",
            ],
            "fr": [
                "prop interroge sur des pages, list demande des listes de pages, et meta interroge sur le wiki lui-même.",
                "Vous pouvez demander jusqu’à cinquante titres en une requête : séparez-les par une barre verticale.",
            ],
            "es": [
                "prop pregunta por páginas, list pide listas de páginas y meta pregunta por el propio wiki.",
                "Puedes preguntar por hasta cincuenta títulos en una sola petición: únelos con una barra vertical.",
            ],
            "ar": [
                "prop يسأل عن صفحات، و list يطلب قوائم صفحات، و meta يسأل عن الويكي نفسه.",
                "يمكنك السؤال عن خمسين عنوانًا كحد أقصى في طلب واحد: افصل بينها بخط عمودي.",
            ],
        },
    },
    {
        "title": "More results? continue",
        "lines": [
            '`"continue": {',
            '`  "cmcontinue": "page|…|1206",',
            '`  "continue": "-||"',
            "`}",
            "",
            "copy it all into the next request",
        ],
        "say": {
            "en": [
                "When there are more results than fit in one answer, the answer has a continue part.",
                "Copy every value in it into your next request, and repeat until an answer has no continue.",
            ],
            "fr": [
                "Quand il y a plus de résultats qu’une réponse n’en contient, la réponse a une partie continue.",
                "Copiez toutes ses valeurs dans votre requête suivante, et recommencez jusqu’à une réponse sans continue.",
            ],
            "es": [
                "Cuando hay más resultados de los que caben en una respuesta, la respuesta tiene una parte continue.",
                "Copia todos sus valores en tu siguiente petición y repite hasta que una respuesta no tenga continue.",
            ],
            "ar": [
                "إذا كانت النتائج أكثر مما يتسع له رد واحد، ففي الرد جزء اسمه continue.",
                "انسخ كل قيمه في طلبك التالي، وكرر حتى يأتي رد بلا continue.",
            ],
        },
    },
    {
        "title": "Be a good guest",
        "lines": [
            "`User-Agent: LighthouseLister/0.1",
            "`  (https://example.org/me; me@example.org)",
            "one request at a time",
            "`maxlag=5",
            "busy? wait (Retry-After), then try again",
        ],
        "say": {
            "en": [
                "Be a good guest.",
                "Send a User-Agent that names your tool and says how to reach you.",
                "Make one request at a time.",
                "Add maxlag=5, and when the servers are busy, wait, then try again.",
            ],
            "fr": [
                "Soyez un invité bien élevé.",
                "Envoyez un User-Agent qui nomme votre outil et dit comment vous joindre.",
                "Faites une requête à la fois.",
                "Ajoutez maxlag=5 et, quand les serveurs sont occupés, attendez, puis réessayez.",
            ],
            "es": [
                "Sé un buen invitado.",
                "Envía un User-Agent que nombre tu herramienta y diga cómo contactarte.",
                "Haz una petición cada vez.",
                "Añade maxlag=5 y, cuando los servidores estén ocupados, espera y vuelve a intentarlo.",
            ],
            "ar": [
                "كن ضيفًا مهذبًا.",
                "أرسل ترويسة User-Agent تسمّي أداتك وتقول كيف يمكن التواصل معك.",
                "أرسل طلبًا واحدًا في كل مرة.",
                "أضف maxlag=5، وإذا كانت الخوادم مشغولة فانتظر ثم أعد المحاولة.",
            ],
        },
    },
    {
        "title": "Your turn",
        "lines": ["practise with recorded answers", "", "then, if you like, the real thing", "on Binder or PAWS"],
        "say": {
            "en": [
                "In this pack you practise with recorded answers.",
                "Then, if you like, try the real thing on Binder or PAWS.",
            ],
            "fr": [
                "Dans ce parcours, vous vous entraînez sur des réponses enregistrées.",
                "Ensuite, si vous le souhaitez, essayez pour de vrai sur Binder ou PAWS.",
            ],
            "es": [
                "En este paquete practicas con respuestas grabadas.",
                "Después, si quieres, prueba con el wiki real en Binder o PAWS.",
            ],
            "ar": [
                "في هذه الحزمة تتدرّب على ردود مسجّلة.",
                "ثم، إن شئت، جرّب الشيء الحقيقي على Binder أو PAWS.",
            ],
        },
    },
]
SPOKEN = [("api.php", "A P I dot P H P"), ("=", " equals "), ("maxlag", "max lag")]
LABELS = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية"}


def draw(slide: dict, path: Path) -> None:
    image = Image.new("RGB", SIZE, "white")
    pen = ImageDraw.Draw(image)
    pen.rectangle([0, 0, SIZE[0], 96], fill=BLUE)
    pen.text((40, 26), slide["title"], font=ImageFont.truetype(str(BOLD), 40), fill="white")
    y = 140
    for line in slide["lines"]:
        if line.startswith("`"):
            font = ImageFont.truetype(str(MONO), 28)
            pen.rectangle([30, y - 6, SIZE[0] - 30, y + 40], fill=CODE_BG)
            pen.text((44, y), line[1:], font=font, fill=INK)
        elif line:
            pen.text((44, y), line, font=ImageFont.truetype(str(SANS), 30), fill=INK)
        y += 58
    pen.text((40, SIZE[1] - 40), "learnpacks · CC BY-SA 4.0", font=ImageFont.truetype(str(SANS), 18), fill=(84, 89, 93))
    image.save(path)


def speak(text: str, path: Path) -> float:
    for written, spoken in SPOKEN:
        text = text.replace(written, spoken)
    subprocess.run(["espeak-ng", "-v", "en-gb", "-s", "150", "-w", str(path), text], check=True)
    with wave.open(str(path)) as audio:
        return audio.getnframes() / audio.getframerate()


def stamp(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"00:{int(minutes):02d}:{rest:06.3f}"


def main() -> None:
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        concat_images, concat_audio, times = [], [], []
        for number, slide in enumerate(SLIDES):
            picture, voice = work / f"slide{number}.png", work / f"slide{number}.wav"
            draw(slide, picture)
            length = speak(" ".join(slide["say"]["en"]), voice) + PAUSE
            padded = work / f"slide{number}-padded.wav"
            subprocess.run(
                ["ffmpeg", "-loglevel", "error", "-y", "-i", str(voice), "-af", f"apad=pad_dur={PAUSE}", str(padded)],
                check=True,
            )
            concat_images += [f"file '{picture}'", f"duration {length:.3f}"]
            concat_audio.append(f"file '{padded}'")
            times.append(length)
        concat_images.append(f"file '{work / f'slide{len(SLIDES) - 1}.png'}'")
        (work / "images.txt").write_text("\n".join(concat_images) + "\n")
        (work / "audio.txt").write_text("\n".join(concat_audio) + "\n")
        subprocess.run(
            [
                "ffmpeg", "-loglevel", "error", "-y",
                "-f", "concat", "-safe", "0", "-i", str(work / "images.txt"),
                "-f", "concat", "-safe", "0", "-i", str(work / "audio.txt"),
                "-vf", "fps=5,format=yuv420p", "-c:v", "libvpx-vp9", "-crf", "40", "-b:v", "0",
                "-c:a", "libopus", "-b:a", "24k", "-ac", "1", "-shortest",
                str(HERE / f"{NAME}.webm"),
            ],
            check=True,
        )
    for lang in SLIDES[0]["say"]:
        cues, start = ["WEBVTT", ""], 0.0
        for slide, length in zip(SLIDES, times):
            english = slide["say"]["en"]
            total = sum(len(s) for s in english)
            at = start
            for sentence, source in zip(slide["say"][lang], english):
                share = length * len(source) / total
                cues += [f"{stamp(at)} --> {stamp(at + share)}", sentence, ""]
                at += share
            start += length
        (HERE / f"{NAME}.{lang}.vtt").write_text("\n".join(cues), encoding="utf-8")
    transcript = ["How a tool reads a wiki: transcript", ""]
    for slide in SLIDES:
        transcript += [f"[{slide['title']}]", " ".join(slide["say"]["en"]), ""]
    (HERE / f"{NAME}.transcript.txt").write_text("\n".join(transcript), encoding="utf-8")


if __name__ == "__main__":
    main()
