"""Seed phrases for the Rasa training data, and the augmenter that writes nlu/data/{es,qu,ay}.yml.

Run `python scripts/nlu_seeds.py` after editing the seeds. Quechua and Aymara seeds are drafts
that need a native speaker's review. Each seed yields variants a real user types: without accents,
lowercase, with common misspellings (k/q/c, s/z, y/ll, dropped h), voice-to-text style (no
punctuation) and, for qu/ay, mixed with Spanish. The evaluation holds out whole seeds.
"""

from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ES: dict[str, list[str]] = {
    "greet": ["hola", "buenas", "buenos días", "buenas tardes", "buenas noches", "holaa que tal", "hola, ¿cómo estás?",
              "qué tal", "hola bot", "saludos", "hola buen día", "hey hola", "holi"],
    "goodbye": ["chau", "adiós", "hasta luego", "nos vemos", "me voy", "bye", "hasta mañana", "chao gracias",
                "ya me tengo que ir", "hasta pronto", "cuídate chau", "nos hablamos luego"],
    "thanks": ["gracias", "muchas gracias", "te agradezco", "mil gracias", "gracias por la ayuda", "muy amable",
               "gracias por la información", "genial gracias", "ok gracias", "te pasaste, gracias", "gracias de verdad",
               "gracias me sirvió"],
    "affirm": ["sí", "si claro", "ok", "de acuerdo", "dale", "está bien", "claro que sí", "correcto", "exacto",
               "sí por favor", "bueno", "okey", "ya"],
    "deny": ["no", "no gracias", "para nada", "no quiero", "todavía no", "nop", "no por ahora", "negativo",
             "no es eso", "mejor no", "no me interesa", "nada"],
    "menu": ["menú", "volver al menú", "quiero ver el menú", "inicio", "opciones", "mostrar opciones",
             "qué puedo hacer aquí", "ver los temas", "regresar al inicio", "menú principal", "qué temas hay",
             "muéstrame todo"],
    "change_language": ["cambiar idioma", "quiero hablar en quechua", "en aymara por favor", "otro idioma",
                        "puedes hablar en español", "cambia la lengua", "prefiero quechua", "hablas aymara?",
                        "quiero otro idioma", "en castellano", "idioma", "cambiar a runasimi"],
    "grooming": ["qué es el grooming", "un adulto me escribe mucho por instagram", "un señor me pide que guardemos un secreto",
                 "alguien mayor me dice que soy especial y me pide fotos", "cómo sé si me están haciendo grooming",
                 "un desconocido del free fire me pide mi número", "un hombre me regala saldo y quiere conocerme",
                 "es normal que un adulto me hable en privado", "mi hija chatea con un adulto que no conocemos",
                 "alguien de tiktok me quiere ver en persona", "quiero saber sobre grooming",
                 "un chico dice que tiene 15 pero parece mayor"],
    "sextortion": ["qué es la sextorsión", "mandé una foto íntima y me arrepiento", "qué hago si alguien tiene mis fotos",
                   "me pidieron fotos desnuda", "cómo borrar una foto que mandé", "me hackearon y tienen mis fotos",
                   "información sobre extorsión con fotos", "mi novio me pide fotos íntimas",
                   "es delito pasar fotos íntimas", "cómo denunciar fotos íntimas publicadas",
                   "quiero saber sobre sextorsión", "me piden un pack"],
    "job_offers": ["me ofrecieron trabajo en argentina es seguro?", "vi un anuncio se busca señorita",
                   "una oferta de trabajo en chile con pasaje pagado", "cómo sé si un trabajo es falso",
                   "me ofrecen trabajo de modelo por facebook", "dicen ayuda económica dale inbox",
                   "me quieren contratar en brasil y me pagan el viaje", "qué es la trata de personas",
                   "una agencia pide mi carnet para un trabajo", "trabajo en el exterior sin experiencia",
                   "me ofrecieron trabajo de niñera en otro departamento", "trabajos falsos en internet"],
    "privacy": ["cómo protejo mi cuenta", "quiero una contraseña segura", "qué es la verificación en dos pasos",
                "cómo oculto mi ubicación", "quién puede ver mi perfil", "me robaron la cuenta de facebook",
                "cómo pongo mi instagram privado", "compartir ubicación es peligroso", "privacidad en whatsapp",
                "alguien entró a mi cuenta", "cómo cuidar mis datos", "cambiar mi contraseña"],
    "cyberbullying": ["qué es el ciberacoso", "se burlan de mí en el grupo del curso", "me hacen memes en el colegio",
                      "crearon una cuenta falsa para burlarse de mí", "me insultan en los comentarios",
                      "cómo ayudo a una amiga que le hacen bullying", "me excluyen del grupo de whatsapp",
                      "publican cosas feas de mí", "ciberbullying", "mis compañeros me acosan por internet",
                      "qué hago si me hacen bullying en tiktok", "me mandan mensajes ofensivos"],
    "caregivers": ["soy mamá y quiero cuidar a mi hijo en internet", "cómo hablo con mi hija sobre las redes",
                   "mi hijo pasa mucho tiempo en el celular", "consejos para padres", "a qué edad dar celular",
                   "cómo sé si mi hijo está en peligro en internet", "control parental", "soy papá, qué señales vigilo",
                   "mi sobrina está rara con el celular", "quiero proteger a mis hijos", "cómo acompañar sin espiar",
                   "soy tutora de una niña de 12 años"],
    "help_lines": ["números de ayuda", "a dónde llamo", "número de la felcv", "dónde denuncio", "líneas de ayuda",
                   "teléfono de la defensoría", "dónde pido ayuda", "número de la policía", "qué instituciones ayudan",
                   "dónde queda la felcv", "necesito un número para denunciar", "contactos de ayuda"],
    "talk_to_person": ["quiero hablar con una persona", "pásame con alguien", "hablar con un humano", "necesito hablar con alguien",
                       "hay alguien real", "quiero una consejera", "puedo hablar con un psicólogo", "con una persona por favor",
                       "no quiero hablar con un bot", "atiéndame una persona", "necesito que alguien me escuche",
                       "persona"],
    "delete_my_data": ["borrar mis datos", "elimina mi información", "quiero que borres todo", "borra la conversación",
                       "no quiero que guarden mis datos", "eliminar mi cuenta", "borra mi número", "olvida todo lo que dije",
                       "quiero borrar mis mensajes", "borrar historial", "eliminar mis datos personales", "borrar"],
    "stop": ["para", "stop", "ya no quiero mensajes", "no me escribas más", "salir", "cancelar", "detener",
             "dejen de mandarme mensajes", "no quiero recibir nada", "basta", "desuscribirme", "termina"],
    "out_of_scope": ["cuánto es 2 más 2", "quién ganó el partido", "cuéntame un chiste", "qué hora es",
                     "me gusta el fútbol", "cuál es la capital de francia", "receta de salteñas", "hace frío hoy",
                     "quién es el presidente", "quiero comprar zapatos", "tienes novia", "dónde venden celulares"],
    "urgent_violence": ["mi papá me pega", "mi pareja me golpea", "me están pegando", "me maltratan en mi casa",
                        "mi padrastro me lastima", "me pegó con el cinturón", "mi esposo me agrede",
                        "nos pega a mí y a mi mamá", "me empujó y me hizo sangrar", "me dio una paliza",
                        "me jalonea del pelo", "me amenaza con golpearme"],
    "urgent_sexual_violence": ["me violaron", "mi tío abusa de mí", "me tocan sin permiso", "me obligó a tener relaciones",
                               "abusaron de mí", "un profesor me manosea", "me forzaron en una fiesta",
                               "mi padrastro me toca", "me obliga a desvestirme", "me acosa sexualmente mi jefe",
                               "me violó mi enamorado", "alguien me tocó las partes"],
    "urgent_trafficking": ["me tienen encerrada", "no me dejan salir", "me quitaron mi carnet", "me obligan a trabajar",
                           "me quieren llevar a otro país y tengo miedo", "me trajeron engañada", "estoy retenida en una casa",
                           "me quitaron mis documentos y no me pagan", "me obligan a prostituirme", "me secuestraron",
                           "me vendieron", "no puedo salir del lugar donde trabajo"],
    "urgent_image_threat": ["va a publicar mis fotos si no le pago", "me amenaza con subir mis videos",
                            "tiene mis fotos íntimas y me pide plata", "me extorsiona con mis fotos",
                            "dice que mandará mis fotos a mi familia", "quiere más fotos o publica las que tiene",
                            "subieron mis fotos a facebook", "me piden dinero para no publicar mi pack",
                            "amenaza con difundir mis videos", "me chantajea con fotos",
                            "si no le mando más fotos las sube", "publicaron fotos mías desnuda"],
    "urgent_self_harm": ["me quiero matar", "ya no quiero vivir", "quiero morir", "pienso en suicidarme", "me corto",
                         "quiero hacerme daño", "no aguanto más la vida", "mejor estar muerta", "voy a quitarme la vida",
                         "nadie me extrañaría si muero", "quiero desaparecer para siempre", "me quiero hacer daño"],
    "urgent_missing_person": ["mi hija desapareció", "mi hermano no volvió a casa", "no sabemos dónde está mi sobrina",
                              "se llevaron a mi hijo", "mi amiga no aparece desde ayer", "mi hija se fue con alguien de internet",
                              "mi prima está desaparecida", "mi hijo no contesta desde hace dos días",
                              "busco a mi hermana desaparecida", "desapareció mi nieta", "mi hija no volvió del colegio",
                              "no encontramos a mi hermanito"],
}

QU: dict[str, list[str]] = {
    "greet": ["imaynallam kachkanki", "allinllachu", "imaynalla", "napaykullayki", "allillanchu", "imaynalla kachkanki wawqi"],
    "goodbye": ["tupananchikkama", "ripunim", "qayakama", "huk p'unchaykama", "ripusaqña", "tupanakusun"],
    "thanks": ["añaychayki", "sulpayki", "yusulpayki", "ancha añaychayki", "añay", "sulpayki yanapasqaykimanta"],
    "affirm": ["arí", "ari", "allinmi", "arí munani", "chiqapmi", "arí, qatipasun"],
    "deny": ["mana", "manan", "mana munanichu", "ama", "manaraq", "mana chayqa"],
    "menu": ["menuta qhawayta munani", "qallariyman kutiy", "ima yachaykunataq kan", "hatun menú", "opcionkunata rikuchiway", "qallariy"],
    "change_language": ["runasimipi rimasun", "castellanopi rimay", "aymarapi rimayta munani", "simita tikray", "huk simipi", "runasimita rimankichu"],
    "grooming": ["huk kuraq runa internetpi qillqamuwan", "huk runa fotokunata mañawan pakallapi", "groomingmanta yachayta munani",
                 "huk mana reqsisqa runa tupayta munan", "ususiy huk kuraq runawan rimachkan", "huk runa saldota qumuwan"],
    "sextortion": ["fotoyta apachirqani llakikuni", "sextorsionmanta willaway", "huk runa fotoykunata hap'in imatataq ruwasaq",
                   "calata fotota mañawanku", "fotoy internetpi kachkan", "packta mañawanku"],
    "job_offers": ["argentinapi llamk'ayta qumuwanku", "chilepi llamk'ay pasajewan", "llamk'ay anuncio chiqapchu",
                   "tratamanta yachayta munani", "hawa suyupi llamk'ay", "carnetniyta mañanku llamk'aypaq"],
    "privacy": ["cuentayta imayna amachasaq", "contraseñata allinta churay", "perfilniyta pitaq rikun",
                "ubicacionniyta pakay", "cuentayta suwarqanku", "datosniyta waqaychay"],
    "cyberbullying": ["cursopi asikuwanku internetpi", "memekunata ruwanku nuqamanta", "grupopi k'amiwanku",
                      "amigayta bullyingta ruwanku", "ciberacoso imataq", "cuenta falsawan asikuwanku"],
    "caregivers": ["mamam kani wawayta amachayta munani", "wawaywan imayna rimasaq redesmanta", "churiy celularwan ancha",
                   "tatakunapaq yuyaychaykuna", "wawaykunata internetpi cuiday", "control parental imayna"],
    "help_lines": ["yanapana yupaykuna", "maymantaq waqyasaq", "felcv yupan", "maypitaq denunciasaq", "yanapaq numerokuna", "policiaq yupan"],
    "talk_to_person": ["runawan rimayta munani", "huk runawan", "chiqap runawan rimay", "pipas kanchu", "consejerawan rimayta munani", "runawan rimasaq"],
    "delete_my_data": ["datosniyta pichay", "llapanta pichay", "willakuyniykunata chinkachiy", "datosniyta chinkachiy", "pichay", "rimasqaykunata pichay"],
    "stop": ["sayay", "tukuy", "amaña qillqamuwaychu", "manaña willakuykunata munanichu", "lluqsiy", "tukuchiy"],
    "out_of_scope": ["hayk'ataq papa", "futbolta pukllasun", "ima horataq", "asichiway", "chirim kunan", "tantata rantiyta munani"],
    "urgent_violence": ["qhariy maqawan", "tatay maqawan", "maqawanku wasipi", "qosay maqawan sapa p'unchay", "ñak'arichiwan", "maqaykuwan"],
    "urgent_sexual_violence": ["abusawan tiyuy", "violawanku", "cuerpoyta llamiwan mana munasqayta", "abusawarqanku", "violawan", "padrastroy llamiykuwan"],
    "urgent_trafficking": ["wichqawanku", "mana lluqsichiwankuchu", "documentoyta qichuwanku", "huk suyuman apayta munawanku manchakuni",
                           "llamk'achiwanku mana pagaspa", "carnetniyta qichuwan"],
    "urgent_image_threat": ["fotoykunata churanqa mana pagaptiy", "qullqita mañawan fotoykunamanta", "videoykunata internetman churanqa",
                            "fotoykunata familiayman apachinqa", "calata fotoykunata churarqanku", "packniyta churanqa"],
    "urgent_self_harm": ["wañuyta munani", "mana kawsayta munanichu", "wañukusaq", "kawsayniyta tukuchiyta munani", "ñak'arichikuyta munani", "manaña aguantanichu"],
    "urgent_missing_person": ["wawaymi chinkarqa", "panay mana kutimunchu", "mana yachanchikchu maypi kachkan", "churiy chinkan",
                              "ususiy mana rikhurinchu", "chinkasqa sobrinay"],
}

AY: dict[str, list[str]] = {
    "greet": ["kamisaki", "kamisaraki", "aski urukïpan", "aski jayp'ukïpan", "aski arumakïpan", "kamisaki jilata"],
    "goodbye": ["jikisiñkama", "qharürkama", "saraskäwa", "mayampi jikisiñani", "sarxañäni", "jikisiñkam kullaka"],
    "thanks": ["yuspajara", "yuspagarsma", "wali yuspajara", "yuspajara yanapt'atamata", "yuspajarapuni", "yuspara"],
    "affirm": ["jisa", "jïsa", "walikiwa", "jisa munta", "chiqawa", "jisa sarantañani"],
    "deny": ["jani", "janiwa", "janiw munkti", "jan ukhamti", "janïraqi", "janipuniwa"],
    "menu": ["menú uñjañ munta", "qalltar kutt'aña", "kuna yatichäwinakas utji", "jach'a menú", "opcionanak uñacht'ayita", "qallta"],
    "change_language": ["aymar arut parlañäni", "castellanot parlama", "runasimit parlañ munta", "aru mayjt'aya", "yaqha arut", "aymar aru yatisti"],
    "grooming": ["mä jilïr jaqiw internetan qillqt'itu", "mä jaqiw fotonak imantat mayitu", "grooming tuqit yatiñ munta",
                 "mä jan uñt'at jaqiw jikisiñ muni", "phuchajax mä jilïr jaqimp parlaski", "mä jaqiw saldo churitu"],
    "sextortion": ["fotoj apayta llakitatwa", "sextorsión tuqit yatiyita", "mä jaqiw fotonakaj katuyi kuns lurä",
                   "q'ala fotonak mayipxitu", "fotojax internetan utji", "pack mayipxitu"],
    "job_offers": ["argentinan irnaqaw churapxitu", "chilen irnaqaw pasajempi", "irnaqaw anuncio chiqati",
                   "trata tuqit yatiñ munta", "yaqha markan irnaqaw", "carnetaj mayipxi irnaqañataki"],
    "privacy": ["cuentaj kunjams jark'aqa", "contraseña suma uchaña", "perfilaj khitis uñji",
                "ubicacionaj imantaña", "cuentaj lunthatapxitu", "datonakaj imaña"],
    "cyberbullying": ["cursonxa internetan larusipxitu", "memenak lurapxi nayat", "grupon jisk'achapxitu",
                      "amigajaru bullying lurapxi", "ciberacoso kunasa", "cuenta falsampi larusipxitu"],
    "caregivers": ["taykatwa wawaj jark'aqañ munta", "wawajampi kunjams parlä redes tuqita", "yuqajax celularamp wali",
                   "awkinakataki iwxt'anaka", "wawanakaj internetan uñjaña", "control parental kunjamsa"],
    "help_lines": ["yanapa jakhüwinaka", "kawkirus jawsä", "felcv jakhüwipa", "kawkins denunciä", "yanapir numeronaka", "policían jakhüwipa"],
    "talk_to_person": ["jaqimpi parlañ munta", "mä jaqimpi", "chiqpach jaqimpi parlaña", "khitis utjiti", "consejerampi parlañ munta", "jaqimpi parlä"],
    "delete_my_data": ["datonakaj chhaqhaya", "taqpach chhaqhaya", "yatiyawinakaj pichaña", "datonakaj pichaña", "chhaqhaya", "parlatanakaj chhaqhaya"],
    "stop": ["sayt'aya", "tukuya", "jan juk'amp qillqt'ampti", "janiw yatiyawinak munxti", "mistuña", "tukuyaña"],
    "out_of_scope": ["qawqhas ch'uqi", "futbol anatañäni", "kuna horasa", "larusiyita", "jichhürux thayawa", "t'ant'a alañ munta"],
    "urgent_violence": ["chachajax nuwitu", "awkijax nuwitu", "utan nuwapxitu", "sapa uru nuwasitu", "jan walt'ayitu", "nuwaraki"],
    "urgent_sexual_violence": ["tiyujax abusitu", "violapxitu", "janchix llamkt'itu jan munkasina", "abusapxitu", "violitu", "padrastrojax llamkt'itu"],
    "urgent_trafficking": ["jist'antapxitu", "janiw mistuyapkituti", "documentonakax aparapxitu", "yaqha markar irpañ munapxitu axsarta",
                           "jan payllasaw irnaqayapxitu", "carnetax aparapxitu"],
    "urgent_image_threat": ["fotonakax uñacht'ayani jan payllasaxa", "qullqi mayitu fotonakaxata", "videonakax internetar apayani",
                            "fotonakax familiajaru apayani", "q'ala fotonakax uñacht'ayapxi", "packax uñacht'ayani"],
    "urgent_self_harm": ["jiwañ muntwa", "janiw jakañ munkti", "jiwt'asï", "jakäwij tukuyañ munta", "jan walt'ayasiñ munta", "janiw aguantxti"],
    "urgent_missing_person": ["wawajax chhaqhawayi", "kullakajax janiw kutt'aniti", "janiw yatktanti kawkinkis", "yuqajax chhaqata",
                              "phuchajax janiw uñstkiti", "chhaqat sobrinaja"],
}

MIX_QU = ["por favor", "ayuda", "wawqi", "pani", "ahora", "ya"]
MIX_AY = ["por favor", "ayuda", "jilata", "kullaka", "ahora", "ya"]
TYPOS = [("qu", "k"), ("c", "k"), ("s", "z"), ("ll", "y"), ("v", "b"), ("h", ""), ("ie", "e"), ("é", "e")]


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def variants(seed: str, lang: str, rng: random.Random, wanted: int) -> list[str]:
    """The seed and up to `wanted - 1` distinct variants."""
    out = [seed]
    plain = re.sub(r"[¿?¡!.,]", "", strip_accents(seed.lower()))
    candidates = [plain, plain.upper() if len(plain) < 30 else plain]
    for old, new in TYPOS:
        if old in plain:
            candidates.append(plain.replace(old, new, 1))
    if lang == "es":
        candidates += [f"{plain} por favor", f"oye {plain}", f"{plain} ayuda"]
    else:
        mix = MIX_QU if lang == "qu" else MIX_AY
        candidates += [f"{plain} {rng.choice(mix)}", f"{rng.choice(mix)} {plain}"]
    rng.shuffle(candidates)
    for candidate in candidates:
        candidate = re.sub(r"\s+", " ", candidate).strip()
        if candidate and candidate not in out:
            out.append(candidate)
        if len(out) >= wanted:
            break
    return out


def build(seeds: dict[str, list[str]], lang: str, per_seed: int) -> dict[str, list[tuple[str, str]]]:
    """intent -> [(seed, example)], deterministic."""
    rng = random.Random(f"seguros-{lang}")
    return {intent: [(seed, v) for seed in items for v in variants(seed, lang, rng, per_seed)]
            for intent, items in seeds.items()}


ALL = {"es": (ES, 3), "qu": (QU, 3), "ay": (AY, 3)}


def write() -> None:
    for lang, (seeds, per_seed) in ALL.items():
        data = build(seeds, lang, per_seed)
        header = "# Rasa training data (" + lang + "). Generated by scripts/nlu_seeds.py: edit the seeds there.\n"
        if lang != "es":
            header += "# DRAFT: Quechua/Aymara examples need a native speaker's review (review: draft).\n"
        lines = [header + 'version: "3.1"', "nlu:"]
        for intent, examples in data.items():
            lines.append(f"- intent: {intent}")
            lines.append("  examples: |")
            lines += [f"    - {example}" for _, example in examples]
        (ROOT / "nlu" / "data" / f"{lang}.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write()
