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

# --- Second net for urgent messages (issue 10, item 4) --------------------------------------------
# More and more varied phrasings per urgent category: teens and caregivers, first and third person,
# past and present, plain descriptions without alarm words, voice-to-text run-ons, abbreviations,
# slang. Calm near-misses (idioms with matar/morir, homework, "is it a crime" questions, app
# trouble, resolved past events, long calm messages) go to the non-urgent intents, so that neither
# a scary word nor the length of a message alone means urgent.
ES_MORE: dict[str, list[str]] = {
    "urgent_violence": [
        "mi papa llego borracho y le esta pegando a mi mama", "mi padrastro me dejo moretones en los brazos",
        "anoche mi pareja me ahorco y hoy me duele el cuello", "mi tio le pega a mi primito con el cable",
        "toy encerrada en el baño xq mi papa esta rompiendo todo y nos quiere pegar",
        "mi mama me quemo la mano con la plancha por no lavar los platos",
        "mi enamorado me dio una cachetada delante de todos", "me pateo en el suelo y no me puedo levantar",
        "cada vez q toma nos pega a todos", "mi hermano mayor me golpea y mis papas no hacen nada",
        "mi esposo y mi suegra me pegan si no cocino", "mi vecinita tiene moretones y dice q su papa le pega",
        "mi esposo me rompio la nariz y no me deja ir al hospital",
        "me pegaron entre tres a la salida del cole y me siguen amenazando",
        "mi papa me arrastro del pelo por el patio", "mi pareja me pateo la panza y estoy embarazada",
        "me castigan sin comer y me encierran en el cuarto oscuro",
        "mi padrastro le pego a mi hermanita de 4 años y no para de llorar",
        "tengo la cara hinchada de los golpes", "mi papa nos chicotea hasta sacarnos sangre",
        "mi mama me golpeo con un palo y me duele mucho la espalda",
        "mi esposo dice q si lo dejo me mata a golpes", "a mi amiga su enamorado la golpea y ella no quiere denunciar",
        "me pegan en mi casa casi todos los dias", "mi tio me agarra a puñetes cuando se enoja",
        "me lanzo una botella y me abrio la cabeza", "toy sangrando de la boca xq me pego",
        "hola disculpe no se si esto es para esto pero mi papa desde hace meses llega tomado y empieza a gritar "
        "y anoche le pego a mi mama con el cinturon y a mi tambien cuando me meti y tengo miedo de que hoy vuelva igual",
        "es que mi pareja ya me habia pegado antes y yo lo perdone pero ayer me agarro del cuello delante de mis "
        "hijos y me dijo que la proxima vez no la cuento y no tengo a donde ir con mis wawas",
        "buenas tardes soy abuela de una niña de 9 años y cuando la recogi del fin de semana con su papa tenia marcas "
        "en las piernas como de cinturon y ella no quiere hablar solo llora que hago",
        "me dejo el ojo morado", "mi papa me pega con lo q encuentra",
        "vivo con mis tios y me golpean si no traigo plata", "mi padrastro me empujo por las gradas",
        "la profesora le pega a mi hijo con la regla y tiene marcas en las manos",
        "mi esposo me pellizca y me muerde donde no se ve", "ya no aguanto los golpes de mi marido",
        "mi papa me quebro el brazo y dijo q diga q me cai", "mi hermana llego con la cara reventada x su novio",
        "cuando mi mama se enoja me agarra a patadas", "oye mi viejo otra vez se puso violento y me pego feo",
        "mi papa la tiene a mi mama en el piso y le sigue pegando",
        "hola buenas, mi esposo me volvio a pegar anoche y tengo miedo de que vuelva",
    ],
    "urgent_sexual_violence": [
        "mi tio entra a mi cuarto de noche", "mi padrastro se mete a mi cama cuando mi mama trabaja de noche",
        "mi primo me toco cuando me quede a dormir en su casa", "el chofer del trufi me toco las piernas y no me dejaba bajar",
        "mi abuelo me hace tocarlo y dice q es nuestro secreto", "me dieron algo en la bebida y desperte sin ropa",
        "el profe de educacion fisica me hace quedar sola y me toca", "mi hermanastro me obliga a hacer cosas q no quiero",
        "mi hija de 5 años dice q su tio le toca la colita", "el novio de mi mama me espia cuando me baño y me toca",
        "me agarraron entre varios en la fiesta y no me acuerdo bien", "mi enamorado me obligo aunque le dije q no",
        "mi padrino me besa en la boca y me toca y me da miedo contar", "me violaron ayer y no se a quien contarle",
        "mi esposo me fuerza cuando esta borracho", "el pastor de la iglesia me pidio q me quite la ropa",
        "un vecino me metio a su cuarto y me hizo cosas", "creo q abusaron de mi hermanita xq le sangra y no quiere hablar",
        "mi tio me espera cuando salgo del baño y me agarra", "mi papa duerme conmigo y me toca",
        "el entrenador me hace masajes y mete la mano donde no debe",
        "desde chiquita mi primo mayor me hace cosas y todavia pasa",
        "no se como decir esto pero desde el año pasado el esposo de mi tia cuando nos quedamos solos me toca y me "
        "dice que si cuento nadie me va a creer y que me van a botar de la casa y hoy otra vez se queda",
        "mi sobrina de 12 años me conto llorando que el señor de la tienda la hizo entrar y la toco por debajo de la "
        "ropa y le dio plata para que no diga nada, no sabemos a donde ir",
        "fui a una fiesta con mis amigas y un chico me llevo a un cuarto y yo estaba mareada y le dije que no y no "
        "paro, ahora me duele y no quiero que mis papas sepan",
        "me hicieron cosas sin mi permiso", "mi hermano me obliga a desvestirme y me graba",
        "el doctor me reviso sin nadie y me toco raro", "el amigo de mi papa me forzo",
        "mi tio dice q si no me dejo le pega a mi mama", "el de la combi me manoseo y nadie hizo nada",
        "mi padrastro abusa de mi hermana y ella me lo conto", "me llevaron a un alojamiento a la fuerza",
        "estoy embarazada de mi tio", "mi jefe me encerro en la oficina y me toco",
        "me tocaron mis partes en el baño del colegio", "mi hijo dice q un chico mayor le bajo el pantalon y le hizo cosas",
        "tengo 13 y un hombre de 30 me obliga a estar con el", "cada vez q viene mi tio me busca cuando estoy sola",
        "mi cuñado me agarro a la fuerza en la cocina", "me drogaron y abusaron de mi",
        "mi abuelastro me hace sentar en sus piernas y me mete la mano",
        "bueno chau pero antes queria contarte que mi padrastro entra a mi cuarto en las noches",
    ],
    "urgent_trafficking": [
        "el de la agencia se quedo con mi carnet y dice que le debo",
        "vine a trabajar a santa cruz y la señora no me deja salir ni llamar a mi familia",
        "dicen q tengo q pagar el pasaje y la comida trabajando y nunca termino de pagar",
        "me trajeron a un taller de costura en argentina y no nos dejan salir",
        "me prometieron trabajo de mesera y ahora me obligan a estar con clientes",
        "mi hermana se fue a trabajar a chile y dice q le quitaron el pasaporte", "estoy en un karaoke y no me dejan irme",
        "nos tienen en una casa con candado y solo salimos a trabajar", "me quitaron el celular, lo uso a escondidas",
        "a mi prima de 15 la llevaron a trabajar a una mina y no la dejan volver",
        "la señora dice q si me voy me mete presa xq le debo",
        "trabajo en una casa desde las 5 de la mañana, no me pagan hace meses y no me dejan salir",
        "me llevaron a otra ciudad con engaños y no se donde estoy", "me venden a hombres en un local",
        "el dueño del local guarda nuestros documentos y nos cobra multas por todo",
        "me dijeron q era trabajo de niñera y ahora me hacen atender un bar de noche",
        "estoy en brasil y nos cobran una deuda por el viaje que nunca baja",
        "dice q no puedo irme hasta pagar lo q debo", "me obligan a vender droga",
        "me obligan a pedir plata en la calle y me quitan todo", "nos encierran de noche y nos despiertan a las 4 para trabajar",
        "mi sobrina respondio a un anuncio de trabajo y ahora no la dejan volver",
        "nos subieron a un auto con otras chicas y nos llevan a la frontera",
        "el patron dice q le hace daño a mi familia si me escapo", "nos trajeron en camion y no nos pagan nada",
        "hola me vine de cochabamba a la argentina porque una señora me ofrecio trabajo en costura con buen sueldo "
        "pero aca nos tienen a seis en un cuarto trabajamos todo el dia y dicen que debemos el pasaje y no nos "
        "devuelven los documentos",
        "mi hija de 16 se fue hace dos semanas a trabajar a una pension en el chapare que le ofrecieron por facebook "
        "y ahora me llamo llorando que no la dejan salir y que le quitaron el carnet y se corto la llamada",
        "estoy en un alojamiento en yacuiba me trajeron diciendo que iba a trabajar en una tienda pero el señor dice "
        "que ahora tengo que atender clientes porque ya pago por mi y no se como salir",
        "toy trabajando en una casa y el patron guarda mi carnet", "no me dejan comunicarme con mi familia",
        "mi hermanito trabaja en un horno de ladrillos y no lo dejan volver",
        "dice que soy suya porque pago por mi", "me vigilan todo el tiempo y no puedo irme",
        "nos obligan a grabar videos para una pagina", "cruce la frontera con un señor y ahora no me deja salir de su casa",
        "trabajo en una chacra sin paga y dicen que les debo",
        "mi amiga se fue con una agencia de modelos y ahora la obligan a salir con hombres",
        "la agencia de empleos me mando a una casa donde me tratan como esclava",
        "no tengo mi pasaporte y el jefe dice q me deportan si hablo",
        "el señor q me trajo me cobra por dormir y comer y nunca me alcanza", "me tienen trabajando y no me dejan ir",
        "hola, estoy bien pero no me dejan volver a mi casa y el jefe tiene mi carnet",
    ],
    "urgent_image_threat": [
        "filtraron mi pack en el grupo del curso", "subieron mis nudes a una pagina",
        "mi ex dice q va a pasar mis fotos a todo el colegio", "un tipo de insta tiene mis fotos y me pide 500 bs",
        "me grabaron en una videollamada y ahora me piden plata", "andan pasando un video mio por whatsapp",
        "mi ex subio mis fotos intimas a facebook con mi nombre",
        "dice q si no le mando otro video se lo manda a mi mama",
        "mi hija mando fotos a un chico y ahora la amenaza con publicarlas", "crearon una cuenta con mis fotos desnuda",
        "tienen mi pack y me piden mas", "me estan extorsionando con un video q grabe",
        "un perfil falso me manda mis propias fotos y dice q las va a subir",
        "pusieron mi cara en fotos porno y las estan pasando", "mi enamorado me grabo sin saber y se lo muestra a sus amigos",
        "dice q a las 8 publica mis fotos", "mis nudes estan en un grupo de telegram",
        "me piden un qr de 300 bs o suben mi video", "si no vuelvo con el sube mis fotos",
        "ya le pague y sigue pidiendo mas plata x mis fotos", "me amenaza con mandar mis fotos a mi papa",
        "todo el colegio vio las fotos q filtro mi ex", "subieron un video mio en el baño a tiktok",
        "me hackearon y me escriben q publican mis fotos privadas si no pago",
        "a mi hijo de 14 lo estan extorsionando por un video q envio", "me obligaron a mandar fotos y ahora me chantajean",
        "hola necesito ayuda conoci a un chico por free fire y le mande unas fotos porque me dijo que me queria y "
        "ahora dice que si no le doy 200 bolivianos hoy las manda a todos mis contactos y ya tiene la lista",
        "mi enamorado y yo terminamos y el tenia fotos mias de cuando estabamos juntos y ahora las subio a un grupo "
        "y mis compañeros me las mandan y me dicen cosas y no quiero ir al colegio",
        "a mi hijo le escribio una chica por instagram hicieron videollamada y era un hombre que lo grabo y ahora le "
        "pide plata y ya le mando el video a un primo y mi hijo esta desesperado",
        "hay un video intimo mio circulando", "va a subir mis fotos hoy si no le mando plata",
        "me grabaron teniendo relaciones y lo estan vendiendo", "me mandan captura de mis contactos y dicen q tienen fotos mias",
        "publicaron mis fotos en una pagina de venta", "mi ex tiene un video mio y me amenaza",
        "me piden mas contenido o exponen lo q tienen", "esta vendiendo mi pack",
        "subieron fotos de mi hermana menor desnuda", "pusieron mis fotos en su estado de whatsapp",
        "me sacaron fotos en el vestidor y las pasan por el grupo", "me quieren extorsionar con mis chats y fotos",
        "chau ya me voy pero mi ex dice que hoy sube mis fotos",
    ],
    "urgent_self_harm": [
        "ya no puedo mas", "todos estarian mejor sin mi", "quiero dormir y no despertar",
        "tengo pastillas guardadas para cuando ya no aguante", "me volvi a cortar", "me corte los brazos anoche",
        "quiero desaparecer y que nadie me busque", "ya escribi mi carta de despedida", "me tome un monton de pastillas",
        "estoy en el puente y quiero saltar", "ya nada tiene sentido para mi", "soy una carga para mi familia",
        "si me muero nadie se daria cuenta", "hoy es el dia, ya lo decidi", "me lastimo para sentir algo",
        "quiero que se acabe todo", "me estoy cortando otra vez y no puedo parar",
        "mi hija se corta los brazos y dice q quiere morir", "mi amigo dice q hoy se va a matar",
        "tome veneno para ratas", "ya me despedi de todos", "no quiero seguir viviendo asi",
        "pienso en tirarme del edificio", "xq sigo viva", "me quiero ir para siempre", "nadie me quiere, mejor me muero",
        "voy a tomarme todas las pastillas de mi mama", "tengo una soga en mi cuarto", "ya no tiene caso seguir",
        "quiero dejar de existir", "cansada de vivir", "me golpeo la cabeza contra la pared hasta sangrar",
        "no se si alguien lee esto pero estoy cansada de todo en mi casa me gritan en el colegio se burlan y mi "
        "enamorado me dejo y ya no tengo fuerzas y estoy pensando en tomar las pastillas de mi abuela para no despertar",
        "es sobre mi hermano de 15 anoche publico en su estado que se despide de todos y que lo perdonen y no contesta "
        "el celular y su cuarto esta cerrado con llave",
        "desde hace semanas me corto las piernas para que nadie vea y hoy me corte mas profundo y no para de salir "
        "sangre y no quiero que mi mama se entere",
        "siento q sobro en este mundo", "ultimamente pienso mucho en morirme", "ya no kiero vivir",
        "toy pensando en hacerme algo", "mi hijo dice q mejor no hubiera nacido y no sale de su cuarto",
        "tengo la navaja en la mano", "solo quiero q el dolor pare para siempre",
        "gracias por todo, chau, ya no me van a ver mas, me voy a tomar las pastillas",
    ],
    "urgent_missing_person": [
        "mi hermanita no volvio", "mi hijo salio ayer a jugar y no regreso",
        "mi hija de 14 no llego a dormir y su celular esta apagado", "no sabemos nada de mi hermano desde el viernes",
        "mi mama salio al mercado y no volvio, ya es de noche", "mi abuelito tiene alzheimer y se perdio",
        "mi sobrino se fue con un amigo de internet y no contesta", "mi prima dejo una nota q se iba con su enamorado de facebook",
        "mi hija no volvio de la escuela y sus amigas no saben nada",
        "mi amiga fue a ver a un chico q conocio en tiktok y desde eso no aparece", "no encuentro a mi hijo de 6 en la feria",
        "mi esposa no llego del trabajo y no responde", "mi hija se escapo de la casa hace 3 dias",
        "mi hermano se fue a trabajar a la argentina y ya no se comunica hace un mes", "se perdio mi hija en el centro",
        "mi nieta salio al colegio y nunca llego", "alguien se llevo a mi wawa del parque",
        "un auto se llevo a mi hermana en la puerta del colegio", "mi hijo no contesta y su ubicacion se apago en la carretera",
        "mi compañera no viene hace una semana y su familia la esta buscando", "desaparecio un chico de mi barrio",
        "mi hija salio con alguien q conocio en free fire y no regresa", "mi sobrina de 13 se fue de la casa y dejo su celular",
        "hace dos noches q mi hijo no duerme en la casa", "mi hermana se subio a un taxi y nunca llego",
        "la policia dice q espere 48 horas pero mi hija no aparece",
        "buenas noches señorita mi hija de 15 años salio a las 2 de la tarde diciendo que iba a hacer tarea donde su "
        "amiga pero la amiga dice que nunca llego y ya son las 11 de la noche y su celular esta apagado",
        "mi hermano menor tiene 12 años y se fue en bicicleta a la cancha y no volvio sus amigos dicen que lo vieron "
        "hablando con un señor en una vagoneta blanca y ya lo buscamos por todo el barrio",
        "disculpe mi mama se fue a trabajar a chile hace tres meses con una agencia y al principio llamaba cada semana "
        "pero desde hace un mes no contesta nadie sabe donde esta y la agencia no responde",
        "mi hija no esta en su cuarto y la ventana esta abierta", "busco a mi prima de 16, no aparece desde el lunes",
        "mi hijo se perdio y no sabe hablar bien", "se escapo mi hermana con un hombre mayor",
        "mi enamorada no contesta desde ayer y su mama tampoco sabe nada", "mi papa salio tomado y ya paso un dia sin volver",
        "nadie sabe donde esta mi amiga desde la fiesta", "mi hermanito salio a comprar pan hace horas y no regresa",
        "no hay rastro de mi hijo", "mi hija dijo q iba donde una amiga pero no esta ahi",
        "mi sobrina se fue con una señora q le ofrecio trabajo y ya no sabemos nada",
        "mi hermana no aparece y su novio le pegaba", "perdimos contacto con mi tia q viajo a brasil",
        "mi hermano chiquito no llego de la escuela y ya es de noche", "son las 9 y mi hija todavia no llega del colegio", "gracias pero no es eso, mi hija no aparece desde ayer y nadie sabe nada",
    ],
    "urgent_immediate_danger": [
        "me estan siguiendo", "hay un hombre afuera de mi casa desde hace rato", "alguien esta intentando entrar a mi casa",
        "toy escondida en el baño", "un señor me espera afuera del colegio todos los dias", "me dijo q hoy me mata",
        "tiene un cuchillo", "mi papa tiene un arma y nos esta amenazando", "estan golpeando la puerta y gritan mi nombre",
        "un auto me sigue desde q sali del cole", "me escondi debajo de la cama xq entro alguien",
        "hay un tipo en la puerta de mi casa tomandome fotos", "me amenazo de muerte y sabe donde vivo",
        "esta rompiendo la ventana", "me tiene encerrada en su auto", "no se donde estoy y un señor no me deja ir",
        "estoy sola y alguien esta forzando la chapa", "me dijeron q esta noche vienen a matarme",
        "mi ex esta afuera con un machete", "me persiguen en la calle", "estoy en peligro ahora",
        "ayudaaa me quieren llevar", "un hombre me sigue y camino rapido", "alguien entro a mi casa y estoy en el ropero",
        "mi padrastro me busca con un palo y me escondi donde la vecina", "me apunto con un arma",
        "mi esposo dice q va a quemar la casa con nosotros adentro", "hay alguien caminando en el techo",
        "un desconocido me espera en la esquina y me escribe q me esta viendo",
        "me escribieron q saben donde estudio y q me esperan a la salida", "estan peleando y uno saco una pistola",
        "estoy caminando a mi casa y dos tipos en moto me siguen desde la plaza ya di dos vueltas y siguen atras mio "
        "no hay nadie en la calle y mi celular tiene poca bateria",
        "mi ex rompio la puerta de mi cuarto esta borracho y dice que me va a matar a mi y a mi hija, estoy encerrada "
        "en el baño con ella y el sigue gritando afuera",
        "soy mama de una niña de 10 años y hace tres dias un hombre se para frente al colegio a la salida y le "
        "pregunta su nombre y hoy le dijo que la iba a llevar a su casa",
        "me estan esperando afuera para pegarme", "hay un tipo mirando por mi ventana",
        "me subi a un taxi y el chofer no para ni me deja bajar", "me dijo q me va a desaparecer",
        "estoy escondida, no puedo hablar", "mi vecino me amenaza con un arma", "me quiere matar, esta viniendo",
        "se metieron a robar y estoy escondida con mis hermanitos",
        "hola hola ayuda hay un hombre en la puerta y dice q me va a matar",
    ],
    "urgent_grooming": [
        "un señor q conoci en free fire quiere q nos veamos hoy", "me mando plata para el pasaje y dice q vaya sola",
        "me dijo q no le cuente a nadie y q me espera en la plaza a las 5",
        "me compro un pasaje de bus para ir a verlo a otra ciudad",
        "un hombre de 30 q conoci en tiktok me espera hoy despues del cole",
        "dice q si no voy a verlo le cuenta todo a mis papas",
        "mi hija de 13 se va a encontrar con un adulto q conocio en internet", "me mando un taxi para q vaya a su casa",
        "me pide q borre los chats y q vaya sola", "me dice q me ama y q nos escapemos mañana",
        "un señor me manda recargas y ahora quiere q vaya a su cuarto", "me dice q ya sabe donde vivo y q va a venir",
        "me pidio mi ubicacion y dice q viene a recogerme", "dice q si no voy publica nuestras conversaciones",
        "un amigo del juego me mando su direccion y dice q vaya sin nadie",
        "tengo 12 y un hombre dice q soy su novia y quiere verme este sabado",
        "me envio plata por tigo money para un pasaje a la paz",
        "el chico de insta q dice tener 17 pero es mayor me esta esperando en la puerta del colegio",
        "dice que si cuento algo le hace daño a mi familia", "me quiere llevar a vivir con el a otro pais",
        "me mando un celular nuevo para q hablemos a escondidas",
        "mi hijo va a ir a ver a un señor q le regala skins y dice q es secreto",
        "me dijo q vaya con falda y sin decirle a mi mama", "me esta esperando hoy en la terminal",
        "ya me compro el boleto para el viernes", "quedamos para vernos en un alojamiento",
        "me amenaza con ir a mi casa si no le contesto", "el chico de discord me pide q me escape de noche",
        "hola tengo 14 hace dos meses conoci a un chico en free fire que decia tener 16 pero hoy vi su foto y es un "
        "señor y me mando 100 bolivianos para el pasaje y dice que hoy a las 6 me espera en la plaza y que es nuestro secreto",
        "revise el celular de mi hija de 12 y un hombre le escribe todos los dias le dice mi amor le pide fotos y hoy "
        "le escribio que lo espere en la esquina del mercado despues de clases y que borre los mensajes",
        "un muchacho que conoci por facebook me dijo que me consigue trabajo y que me manda el pasaje a santa cruz para "
        "mañana pero que no le cuente a mis papas porque no me van a dejar y ya me mando la plata",
        "me pidio q salga por la ventana en la noche", "mi hermanita chatea con un adulto y dice q hoy se van a ver",
        "dice q me va a buscar al colegio si no le mando fotos", "me quiere ver a solas y dice q ya reservo un cuarto",
        "me dijo q no le diga a mis papas y q me recoge en su auto", "me ofrece regalos si voy sola a su departamento",
        "me mandaron un pasaje para ir a conocer a alguien de instagram", "un señor del juego sabe mi colegio y dice q me va a esperar",
        "dice q me manda un auto hoy en la noche para ir a su casa", "ya le di mi direccion y viene en una hora",
        "me presiona para vernos hoy y dice q ya esta en mi ciudad",
        "ok gracias, pero el señor del juego dice q me espera hoy y q vaya sola",
    ],
    # Calm near-misses: the words of an emergency, not an emergency.
    "out_of_scope": [
        "mi mama me va a matar si ve mi libreta", "me muero de risa con ese video", "me muero de hambre",
        "me mata el calor en santa cruz", "este examen me va a matar", "muero de sueño",
        "el profe me va a matar si no entrego la tarea", "auxilio tengo examen de mate mañana y no entiendo nada",
        "ayuda con mi tarea de historia porfa", "me muero de verguenza, me cai en el patio",
        "mi papa me mata si llego tarde jaja", "me mataste con ese chiste", "el partido de ayer me mato de nervios",
        "tengo q hacer una exposicion sobre violencia intrafamiliar, que puedo decir",
        "tarea: ensayo sobre la trata y trafico de personas en bolivia", "cuantos casos de feminicidio hubo en bolivia este año",
        "es delito pegarle a un hijo para corregirlo?", "no puedo salir de la app, se queda trabada",
        "no puedo salir a la fiesta xq mis papas no me dejan", "estoy encerrada estudiando todo el fin de semana",
        "mi perrito se perdio ayer", "se me perdio el celular en el micro",
        "mi hermano se escapo de clases para jugar futbol jaja", "vi una pelicula de secuestros y me dio miedo",
        "hola queria preguntar algo para mi tarea de ciencias sociales la profe nos pidio investigar sobre la violencia "
        "en las familias de bolivia y que instituciones ayudan y no se por donde empezar me das ideas",
        "buenas tardes le escribo porque el fin de semana fuimos con mi familia a copacabana y fue muy bonito pero me "
        "olvide mi chompa en el hotel y queria saber si saben como puedo llamar al hotel",
        "jajaja hoy la profe nos hizo un examen sorpresa y casi me muero porque no habia estudiado nada y mi amiga "
        "estaba igual pero al final salimos bien las dos",
        "quiero morirme de verguenza le escribi a mi crush por error", "mi abuela dice q me va a jalar las orejas si no como",
        "cuantos años de carcel dan por trata de personas", "mi hermana me pego un chicle en el pelo",
        "me pegue con la puerta y me salio un chichon", "me corte el pelo y quedo feo",
        "me corte el dedo picando cebolla pero ya esta bien", "estoy muerta de cansancio", "mi celular se murio",
        "lo del año pasado ya se soluciono, ahora estoy bien", "me mataron en el free fire y perdi la partida",
        "toy harta de la tarea ya no puedo mas con mate jaja", "mi profe de musica me mata con tantas practicas",
        "mañana me van a sacar una muela y me muero de miedo",
        "bueno te cuento que ayer fue el cumple de mi hermanita y hicimos una fiesta en la casa vinieron mis primos "
        "y mis tios y bailamos hasta tarde y mi mama dice que casi la matamos de cansancio pero estuvo muy lindo",
        "es verdad q en bolivia secuestran niños en las ferias o es mentira de facebook",
        "quiero ver una serie de crimenes, cual me recomiendas",
        "mi tio me llevo a pasear al parque y comimos helado",
        "mi hermanita se perdio un ratito en el supermercado pero ya la encontramos estaba en la seccion de juguetes "
        "que susto jaja",
        "hoy en el colegio hicimos un simulacro de terremoto y todos teniamos que escondernos debajo de los pupitres y "
        "despues salir corriendo al patio, fue divertido",
    ],
    "grooming": [
        "un chico del juego me pidio mi whatsapp, es peligroso darselo?",
        "el año pasado un señor me escribia pero ya lo bloquee y le conte a mi mama",
        "como le explico a mi hija de 10 q no hable con extraños en roblox", "es delito q un adulto le escriba a una menor?",
        "para una tarea, que es el grooming y como se previene",
        "hola soy profesora de primaria y quiero dar una charla a mis estudiantes sobre los peligros de hablar con "
        "desconocidos en los juegos en linea, que consejos me da para explicarles de forma sencilla",
    ],
    "sextortion": [
        "es delito compartir el pack de otra persona?", "mi amiga me pregunto q hacer si alguien le pide nudes",
        "hace un año mande una foto pero ya se borro y todo bien, como evito q pase de nuevo",
        "como reporto una foto en instagram", "tarea sobre sextorsion en adolescentes",
    ],
    "job_offers": [
        "tengo q hacer una exposicion sobre trata de personas", "es legal q una agencia pida mi carnet original?",
        "mi tia trabaja en argentina hace años y le va bien, como se si una oferta es seria",
        "es delito quedarse con el carnet de un trabajador?",
    ],
    "privacy": [
        "creo q me hackearon el facebook q hago", "me llego un codigo de whatsapp q no pedi",
        "alguien entro a mi instagram y cambio mi foto", "no puedo salir de mi cuenta en la compu del cole",
        "quiero desaparecer de las redes un tiempo, como desactivo mis cuentas", "me robaron mi cuenta de free fire",
        "hola buenas noches desde ayer no puedo entrar a mi cuenta de instagram me dice que la contraseña es incorrecta "
        "y me llego un correo de que alguien inicio sesion desde otro pais que puedo hacer para recuperarla",
    ],
    "cyberbullying": [
        "se burlan de mi en el grupo pero ya hable con la profe", "un compañero me dijo q me va a matar en el free fire jaja",
        "no puedo salir del grupo del curso xq me vuelven a agregar",
    ],
    "caregivers": [
        "hace dos años mi esposo tomaba mucho y habia peleas en la casa pero ya fue a terapia y ahora estamos bien, "
        "solo queria saber si tienen informacion para hablar de estas cosas con mis hijos",
        "mi hijo no puede salir del juego, esta enviciado", "soy mama, como hablo con mi hija sobre abuso sin asustarla",
        "a mi hijo le robaron la cuenta del juego y esta llorando",
        "soy papa de dos chicos de 11 y 14 años y pasan todo el dia en el celular jugando y me preocupa que hablen "
        "con desconocidos pero no quiero quitarles el celular porque lo usan para el colegio como pongo limites",
    ],
    "help_lines": [
        "donde denuncio una estafa por internet", "a q numero se llama para denunciar violencia, es para un trabajo del cole",
        "que hace la defensoria de la niñez",
    ],
}

# Quechua drafts (review: draft): mixed with Spanish the way people write on WhatsApp.
QU_MORE: dict[str, list[str]] = {
    "urgent_violence": [
        "tatay machasqa chayamun mamayta maqachkan", "padrastroy maqawan, brazoypi moretones kachkan",
        "qusay kunkaymanta hap'iwan anoche", "tiyuy primituyta cablewan maqan", "sapa machaspa llapanchikta maqawanku",
        "kuraq wawqiy maqawan, tataykuna mana imatapas ruwankuchu", "simiymanta yawar lluqsichkan, maqawan",
        "mamay k'aspiwan maqawan wasaypi nanawan", "qusay nin saqiptiy maqaspa wañuchiwanqa",
        "colegiomanta lluqsispa kimsa maqawarqanku", "ñañayta enamoradon maqan, uyan punkisqa",
        "wasiypi yaqa sapa p'unchay maqawanku", "mana mikhuchiwankuchu, cuartopi wichqawanku castigaspa",
        "ñuqa wiksayuq kani, qusay wiksaypi hayt'awan", "tatay chicotewan maqawanku yawar lluqsinankama",
        "mamaywan tatay maqanakuchkanku, mamayta pampapi maqachkan",
    ],
    "urgent_sexual_violence": [
        "tiyuy tutan cuartoyman yaykun", "padrastroy camayman yaykun mamay llamk'aptin",
        "primoy llamiykuwan puñunaypi", "abueloy llamichiwan, pakallapi kachun nin",
        "profesor sapallayta qhipachiwan llamiwanpas", "ususiy 5 watayuq, tiyun llamiykun nin",
        "fiestapi imatachus upyachiwanku, mana p'achayuq rikch'arirqani", "enamoradoy kallpawan ruwawan mana nisqaytapas",
        "padrinoy simiypi much'awan llamiwan manchakuni willayta", "qusay machasqa kallpawan ruwawan",
        "wasi qayllapi runa cuartonman yaykuchiwan imakunatapas ruwawan", "sullk'a ñañayta abusarqanku, mana rimayta munanchu",
        "tatay ñuqawan puñun llamiwan", "tiyuy nin mana munaptiy mamayta maqanqa",
        "trufipi chofer chakiykunata llamiwan mana uraykachiwanchu", "tiyuypa wawanta wiksayuq kani",
    ],
    "urgent_trafficking": [
        "agenciamanta runa carnetniyta hap'ikun, manuyki kachkan nin", "santa cruzpi llamk'ani señora mana lluqsichiwanchu",
        "pasajeta mikhunatapas llamk'aspa pagay nin, mana tukukunchu", "argentinapi costurapi wichqawanku",
        "mesera llamk'ay nispa, kunan runakunawan kanaykita nin", "panay chilepi pasaporteta qichusqa",
        "candadowan wasipi wichqawanku, llamk'anallapaq lluqsinchik", "celularniyta qichuwanku pakallapi qillqamuyki",
        "primay 15 watayuq minaman apasqa mana kutimuchinkuchu", "señora nin ripuptiy carcelman churachiwanqa manuyrayku",
        "huk llaqtaman q'utuspa apawanku, mana yachanichu maypi kachkani", "local dueño documentokunata waqaychakun multatapas cobran",
        "patron nin ayqiptiy familiayta ñak'arichinqa", "ladrillo hornopi sullk'a wawqiy llamk'an mana kutichinkuchu",
        "mana familiaywan rimachiwankuchu", "pagawarqa nin, paypa kani nin",
    ],
    "urgent_image_threat": [
        "packniyta cursoq grupompi churarqanku", "nudesniyta paginaman churarqanku",
        "exniy nin fotoykunata llapan colegioman apachinqa", "instagrampi runa fotoykunata hap'in 500 bs mañawan",
        "videollamadapi grabawanku kunan qullqita mañawanku", "videoyta whatsapppi apachinakuchkanku",
        "huk video apachiptiy mamayman apachinqa nin", "ususiy fotota apachirqa kunan churasaq nispa manchachin",
        "packniyta hap'inku astawan mañawanku", "8 horasta fotoykunata churanqa nin",
        "qr 300 bs mañawanku mana chayqa videoyta churanqa", "pagarqaniña astawan qullqita mañallanpuni fotoykunamanta",
        "ex enamoradoy fotoykunata grupoman churan, colegioman mana riyta munanichu",
        "churiy 14 watayuq videonmanta extorsionasqa", "calata fotoykunawan cuenta falsata ruwarqanku",
        "tiktokman bañopi videoyta churarqanku",
    ],
    "urgent_self_harm": [
        "manaña atinichu", "llapanku aswan allin kanmanku mana kaptiy", "puñuyta munani mana rikch'ariyta",
        "pastillakunata waqaychani mana aguantaptiy", "yapamanta kuchukurqani", "brazoykunata kuchukurqani anoche",
        "chinkayta munani, ama pipas maskawachunchu", "despedida cartayta qillqarqaniña",
        "achka pastillakunata upyarqani", "puentepi kachkani, pawayta munani",
        "familiaypaq llasa q'ipi kani", "wañuptiy mana pipas reparanqachu",
        "ususiy brazonkunata kuchukun wañuyta munan nin", "amigoy nin kunan p'unchay wañuchikunqa",
        "ratapaq venenota upyarqani", "llapankumanta despedikurqaniña",
    ],
    "urgent_missing_person": [
        "sullk'a ñañay mana kutimunchu", "churiy qayna pukllaq lluqsirqa mana kutimunchu",
        "ususiy 14 watayuq mana puñuq chayamunchu celularnin apagasqa", "viernesmanta wawqiymanta mana imatapas yachanchikchu",
        "mamay mercadoman rirqa mana kutimunchu tutaña", "abueloy chinkarqa, alzheimeryuq",
        "sobrinoy internetpi amigonwan ripurqa mana contestanchu", "ususiy escuelamanta mana kutimunchu",
        "amigay tiktokpi reqsisqan waynata rikuq rirqa, manaña rikhurinchu", "feriapi 6 watayuq churiyta mana tarinichu",
        "huk auto colegioq punkunmanta panayta aparqa", "wawayta parquemanta aparqanku",
        "ususiy free firepi reqsisqanwan lluqsirqa mana kutimunchu", "iskay tutaña churiy mana wasipi puñunchu",
        "policia 48 horasta suyay nin, ususiy mana rikhurinchu", "sullk'a wawqiy t'anta rantiq rirqa manaraq kutimunchu",
    ],
    "urgent_immediate_danger": [
        "qhatiwachkanku", "huk runa wasiy hawapi sayachkan unayña", "pipas wasiyman yaykuyta munachkan",
        "bañopi pakakuchkani", "huk señor colegio hawapi sapa p'unchay suyawan", "kunan p'unchay wañuchisqayki niwan",
        "cuchilloyuq kachkan", "tatay armayuq manchachiwachkanku", "punkuta takachkanku sutiyta qaparispa",
        "colegiomanta lluqsisqaymanta huk auto qhatiwan", "camay urapi pakakuni pipas yaykumun",
        "kunan tuta wañuchiq hamunqaku niwanku", "exniy hawapi machetewan kachkan", "ventanata p'akichkan",
        "sapallay kachkani pipas chapata kichayta munan", "wañuchiwanqa, hamuchkanña",
    ],
    "urgent_grooming": [
        "free firepi reqsisqay señor kunan tupayta munan", "pasajepaq qullqita apachimuwan, sapallay hamuy nin",
        "ama pimanpas willakuychu nin, plazapi 5 horasta suyawanqa", "huk llaqtaman rinaypaq bus pasajeta rantiwan",
        "tiktokpi reqsisqay 30 watayuq runa kunan colegiomanta lluqsiptiy suyawan",
        "mana rispa tataykunaman llapanta willanqa nin", "ususiy 13 watayuq internetpi kuraq runawan tupanqa",
        "taxita apachimuwan wasinman rinaypaq", "chatkunata pichay nin sapallay hamuy nin",
        "ubicacionniyta mañawan, hamusaq apaykusqayki nin", "ñam yachan maypi tiyasqayta, hamusaq nin",
        "tigo moneywan qullqita apachimuwan la pazman pasajepaq", "kunan terminalpi suyawachkan",
        "sullk'a ñañay kuraq runawan chatean, kunan tupanqaku nin", "willaptiy familiayta ñak'arichinqa nin",
        "direccionniyta qurqani, huk horapi hamuchkan",
    ],
    "out_of_scope": [
        "mamay wañuchiwanqa libretayta rikuspa jaja", "asikuywan wañuchkani chay videowan",
        "yarqaywan wañuchkani", "kay examen wañuchiwanqa", "puñuywan wañuchkani",
        "historia tareaypaq yanapaway", "violencia intrafamiliarmanta exposicionta ruwanay tiyan",
        "trata de personasmanta tarea ruwanay", "appmanta mana lluqsiyta atinichu", "fiestaman mana lluqsiyta atinichu tataykuna mana saqiwankuchu",
        "allquy chinkarqa qayna", "celularniy chinkarqa micropi", "chukchayta kuchukurqani millayta rikukun",
        "qayna wata chay sasachakuy tukukurqaña, kunan allinmi kachkani", "free firepi wañuchiwanku partidata chinkachirqani",
    ],
    "privacy": ["facebookniyta hackearqanku hina imatataq ruwasaq", "mana mañasqay whatsapp codigo chayamuwan"],
    "job_offers": ["agencia carnet originalta mañanman legalchu?"],
}

# Aymara drafts (review: draft): mixed with Spanish the way people write on WhatsApp.
AY_MORE: dict[str, list[str]] = {
    "urgent_violence": [
        "awkijax machat purinitayna taykajar nuwaski", "padrastrojax nuwitu, amparajan moretonanakaw utji",
        "chachajax kunkajat katuntitu masüru aruma", "tiyujax primitujar cablempi nuwi", "machaxasax taqiniruw nuwistu",
        "jilïr jilajax nuwitu, awkinakajax janiw kuns lurapkiti", "lakajat wila mistuski, nuwitu",
        "taykajax lawampi nuwitu, qhipajaw usu", "chachajax siwa jaytanukirista ukax jiwayañkamaw nuwitani",
        "colegiot mistsuñkam kimsaniw nuwapxitu", "kullakajarux enamoradopaw nuwi, ajanupax punkitawa",
        "utajan niya sapa uruw nuwapxitu", "janiw manq'ayapkituti, cuarton jist'antapxitu",
        "usurïtwa, chachajax purakajar jaytt'itu", "awkijax chicotempi nuwapxitu wila mistuñkama",
        "awkijax taykajar pampan nuwaski",
    ],
    "urgent_sexual_violence": [
        "tiyujax arumanak cuartojar mantani", "padrastrojax camajar mantani taykajax irnaqkipana",
        "primojax ikiñajan llamkt'itu", "abuelojax llamkt'ayitu, imantat uñjañani siwa",
        "profesorax sapakiw qhiparayitu llamkt'itusa", "phuchajax 5 maranïwa, tiyupaw llamkt'i siwa",
        "fiestan kunas umayapxitu, jan isimpiw sartawayta", "enamoradojax ch'amampiw lurawayitu jan sasinsa",
        "padrinojax lakajan jamp'atitu llamkt'itusa axsartwa yatiyañ", "chachajax machataw ch'amampi lurayitu",
        "jak'a utankir jaqiw cuartopar mantayitu kunanaks lurawayitu", "jisk'a kullakajarux abusapxiwa, janiw parlañ munkiti",
        "awkijax nayamp ikiski llamkt'itu", "tiyujax siwa jan munkta ukax taykajaruw nuwani",
        "trufin choferax kayunakaj llamkt'itu janiw saraqayitutixa", "tiyujan wawapampi usurïtwa",
    ],
    "urgent_trafficking": [
        "agenciat jaqiw carnetaj katuntasi, manuw utji siwa", "santa cruzan irnaqta señorax janiw mistuyitutixa",
        "pasaje manq'asa irnaqasaw payllañama siwa, janiw tukuskiti", "argentinan costuran jist'antapxitu",
        "mesera irnaqaw sasaw, jichhax jaqinakamp utjañamawa sapxitu", "kullakajax chilen pasaportep aparapxatayna",
        "candadompiw utan jist'antapxitu, irnaqañatakikiw mistuptha", "celularaj aparapxitu imantatat qillqt'sma",
        "15 maran primajax minaruw irpapxi janiw kutt'ayapkiti", "señorax siwa sarxä ukax carcelaruw uchayitani manujata",
        "yaqha markaruw sallqjasin irpapxitu, janiw yatkti kawkinkatsa", "local dueñox documentonak imasi multanaks cobrarakiwa",
        "patronax siwa jaltxä ukax familiajaruw jan walt'ayani", "jisk'a jilajax ladrillo hornon irnaqi janiw kutt'ayapkiti",
        "janiw familiajamp parlayapkituti", "payllitu siwa, jupankiritwa siwa",
    ],
    "urgent_image_threat": [
        "packaj cursonkir grupor uchapxi", "nudesanakaj paginar uchapxi",
        "exajax siwa fotonakaj taqi colegior apayani", "instagramankir jaqiw fotonakaj katuyi 500 bs mayitu",
        "videollamadan grabapxitu jichhax qullqi mayipxitu", "videojaw whatsappan apayasipki",
        "mä video jan apaykta ukax taykajaruw apayani siwa", "phuchajax fotonak apayi jichhax uñacht'ayäw sasaw axsarayi",
        "packaj katuyapxi juk'amp mayipxitu", "8 horasaw fotonakaj uchani siwa",
        "qr 300 bs mayipxitu jan ukax videoj uchapxani", "payllatxtwa ukampis juk'amp qullqi mayiskakituwa",
        "ex enamoradojax fotonakaj grupor uchi, janiw colegior sarañ munxti",
        "yuqajax 14 maranïwa videopat extorsionapxi", "q'ala fotonakajampi cuenta falsa lurapxi",
        "bañon videoj tiktokar uchapxi",
    ],
    "urgent_self_harm": [
        "janiw juk'amp atxti", "taqiniw jan nayan utjatax juk'amp walïpxaspa", "ikiñ munta jan sartañataki",
        "pastillanak imt'ata jan aguantxä ukataki", "wasitat khuchusiwayta", "amparanakaj khuchusiwayta masüru aruma",
        "chhaqhañ munta, jan khitis thaqpanti", "despedida cartaj qillqt'xtwa",
        "walja pastillanak umt'ta", "puenten uttwa, jaltañ munta",
        "familiajatakix jach'a q'ipitwa", "jiwxä ukax janiw khitis amuykaniti",
        "phuchajax amparanakap khuchusi jiwañ muntwa siwa", "amigojax siwa jichhüruw jiwayasini",
        "achakunatak venenoruw umt'ta", "taqinitakiw despidisxtwa",
    ],
    "urgent_missing_person": [
        "jisk'a kullakajax janiw kutt'aniti", "yuqajax masüru anataniw mistuna janiw kutt'aniti",
        "phuchajax 14 maranïwa janiw ikiñ purinkiti celularapax apagatawa", "viernesat jilajat janiw kuns yatktanti",
        "taykajax mercador sarawayi janiw kutt'aniti arumaxiwa", "abuelojax chhaqhawayi, alzheimerampiwa",
        "sobrinojax internetan amigopamp sarawayi janiw contestkiti", "phuchajax escuelat janiw kutt'aniti",
        "amigajax tiktokan uñt'at waynar uñjir sarawayi, janiw uñstxiti", "feria taypin 6 maran yuqaj janiw jikxatkti",
        "mä autow colegio punkut kullakaj apasxi", "wawaj parquet apasxapxi",
        "phuchajax free firen uñt'atapamp mistuwayi janiw kutt'aniti", "paya arumaw yuqajax janiw utan ikiskiti",
        "policiax 48 horas suyt'am siwa, phuchajax janiw uñstkiti", "jisk'a jilajax t'ant'a alir sarawayi janiraw kutt'aniti",
    ],
    "urgent_immediate_danger": [
        "arknaqapxitu", "mä chachaw utaj anqan sayt'ata walja horaw", "khitis utajar mantañ munaski",
        "bañon imantasiskta", "mä señoraw colegio anqan sapa uru suyt'itu", "jichhüruw jiwayäma situ",
        "cuchilloniwa", "awkijax armanïwa axsarayapxistu", "punku nuwasipki sutij art'asa",
        "colegiot mistkäjat mä autow arknaqitu", "camaj manqhan imantasta khitis mantanxi",
        "jichha arumaw jiwayir jutapxäma sapxitu", "exajax anqan machetempi utji", "ventanaw p'akjaski",
        "sapakitwa khitis chapa jist'araña munaski", "jiwayitaniwa, jutaskiwa",
    ],
    "urgent_grooming": [
        "free firen uñt'at señorax jichhüru jikisiñ muni", "pasajetak qullqi apayanitu, sapak jutam siwa",
        "jan khitirus yatiyamti siwa, plazan 5 horas suyt'itani", "yaqha markar sarañataki bus pasaje alanitu",
        "tiktokan uñt'at 30 maran jaqix jichhüru colegiot mistkä ukhax suyt'itani",
        "jan sarkä ukax awkinakajaruw taqi yatiyani siwa", "phuchajax 13 maranïwa internetan jilïr jaqimp jikisini",
        "taxi apayanitu utapar sarañataki", "chatnak chhaqhaytam siwa sapak jutam siwa",
        "ubicacionaj mayitu, irpir jutä siwa", "kawkin jakatajs yatxiwa, jutäw siwa",
        "tigo moneympi qullqi apayanitu la pazar pasajetaki", "jichhax terminalan suyt'askitu",
        "jisk'a kullakajax jilïr jaqimp chatea, jichhüruw jikisipxani siwa", "yatiyä ukax familiajaruw jan walt'ayani siwa",
        "direccionaj churta, mä horatxa jutaski",
    ],
    "out_of_scope": [
        "taykajax jiwayitaniwa libretaj uñjasa jaja", "larusiñampiw jiwaskta uka videompi",
        "manq'at jiwaskta", "aka examenax jiwayitaniwa", "ikiñat jiwaskta",
        "historia tareajatak yanapt'ita", "violencia intrafamiliar tuqit exposicion lurañajawa",
        "trata de personas tuqit tarea lurañajawa", "appat janiw mistuñ atkti", "fiestar janiw mistuñ atkti awkinakajax janiw jaytapkituti",
        "anujax chhaqhawayi masüru", "celularaj micron chhaqhawayi", "ñik'utaj khuchuyasta jan walikiw uñnaqi",
        "nayra mara uka jan walt'awix tukusxiwa, jichhax walikïtwa", "free firen jiwayapxitu partida apt'ayasta",
    ],
    "privacy": ["facebookaj hackeapxitu ukham amuyta kuns lurä", "jan mayitäk whatsapp codigo puriniwa"],
    "job_offers": ["agenciax carnet original mayispa ukax legalti?"],
}


# --- Range seeds (issue 13) ------------------------------------------------------------------------
# Distinct phrasings per intent, written in several personas so the data is not one author's style:
# a teen from El Alto (Aymara loanwords, "nomas", "ya pues"), a teen from Santa Cruz (voseo, "pues",
# "pucha"), a teen from Cochabamba ("siempre", "ya pues", "ñaña"), caregivers dictating by voice
# (formal, usted, run-ons, no punctuation) and people who switch to Quechua or Aymara mid-sentence.
# Topic questions are grouped by the kind of question (what_is, signs, what_to_do, is_crime,
# help_friend): the same seeds teach the topic intent and name the direct answer they ask for.
ES_RANGE: dict[str, list[str]] = {
    "greet": [
        "hola q tal", "holaaa", "wenas", "buen dia", "buenas buenas", "ola", "hola hola", "hi", "hello",
        "hola jilata", "hola kullaka", "buenas noches señorita", "buenos dias disculpe", "hola como estas",
        "q onda", "holis", "alo", "buenas tardes joven", "hola amigo", "que tal como te va", "hola buenas tardes",
        "saludos cordiales", "holaa bot", "ey", "buenass", "ola k ase", "hola que hay", "hola mi pariente",
        "hola buenos dias señor", "como estas", "hola hola hola", "q tal todo",
    ],
    "goodbye": [
        "chao", "chaito", "bye bye", "ya me voy", "nos vemos luego", "hasta la proxima", "me tengo q ir",
        "despues hablamos", "ya chau", "adios y gracias", "bueno me voy", "hasta otro rato", "ya nos vemos",
        "me despido", "hasta luego señorita", "cuidate mucho chau", "chauu", "nos vemos mañana", "ya pues chau",
        "ahi nomas chau", "bye", "luego te escribo", "me voy a dormir chau", "hasta pronto que dios le bendiga",
        "ya tengo clases chau", "nos hablamos", "tengo q irme mi mama me llama",
        "buenas noches me despido", "hasta la vista",
    ],
    "thanks": [
        "grax", "graciass", "gracias x todo", "muchas grax", "thank you", "thanks", "gracias amiga",
        "gracias jilata", "te pasaste gracias", "gracias me ayudo bastante", "ya entendi gracias",
        "que dios le pague", "dios le pague señorita", "muy agradecida", "le agradezco mucho", "gracias por explicarme",
        "gracias de corazon", "gracias bot", "gracias era lo q necesitaba", "ah ok gracias", "va gracias",
        "mil grax", "gracias por responder", "muchisimas gracias", "gracias de verdad me sirvio", "grcs",
        "gracias por la info", "gracias, muy util", "gracias pues",
    ],
    "affirm": [
        "sii", "siii", "simon", "claro", "obvio", "sip", "ya pues", "ya ya", "ok dale", "va", "vale",
        "de una", "bueno ya", "si porfa", "si quiero", "asi es", "eso mismo", "si señorita", "afirmativo",
        "okis", "oki", "esta bien pues", "si por favor", "perfecto", "si claro que si", "ajá", "ya esta", "sale",
        "bien", "listo",
    ],
    "deny": [
        "noo", "nel", "no gracias amiga", "no nada", "nop gracias", "ahorita no", "no todavia", "no creo",
        "no no", "para nada", "no quiero eso", "mejor despues", "no señorita", "no es eso lo q busco",
        "no me sirve", "no gracias estoy bien", "no ahora no", "ni loca", "jamas", "de ninguna manera", "nada mas",
        "no x ahora", "ya no", "no necesito", "nones", "no pues", "no gracias ya entendi", "tampoco", "nah", "no gracias asi nomas", "no, otra vez sera",
    ],
    "menu": [
        "menu porfa", "mostrame el menu", "quiero ver las opciones", "q opciones hay", "volver al principio",
        "empezar de nuevo", "regresar", "atras", "ir al inicio", "ver menu", "q mas hay", "que mas puedo ver",
        "q temas tienes", "de q me puedes hablar", "muestrame las opciones otra vez", "quiero volver al menu principal",
        "que puedo hacer aca", "como funciona esto", "q haces", "para q sirves", "que ofreces", "lista de temas",
        "quiero empezar otra vez", "reiniciar", "volver a empezar", "ver todo lo q hay", "ensename los temas",
        "de que trata esto", "otra cosa, menu",
    ],
    "change_language": [
        "hablas quechua", "sabes aymara", "puedo escribir en aymara", "en quechua porfa", "mejor en castellano",
        "no entiendo, en español porfa", "quiero cambiar de idioma", "cambiar a aymara", "cambiar a quechua",
        "cambiar a español", "aymarat parlt'am", "runasimipi porfa", "puedes hablarme en mi idioma",
        "mi abuelita habla quechua, puede ser en quechua", "en aymara es mejor para mi", "hay en otro idioma",
        "quiero leer en español", "tienes en quechua", "se puede en aymara", "castellanupi", "habla en español nomas",
        "cambia el idioma porfa", "no entiendo quechua", "no hablo aymara", "mejor en runasimi",
        "idioma español", "quiero el idioma quechua", "en que idiomas hablas",
    ],
    "grooming": [
        "hay un señor q me escribe todos los dias y me dice q soy su princesa",
        "un chico mayor me manda regalos y me dice q no le cuente a nadie",
        "conoci a alguien en free fire q me quiere conocer en persona",
        "un man de 25 me habla bonito y me pide q borre los chats",
        "me escribe un tipo en instagram q dice q es modelo y q yo tambien puedo ser",
        "un adulto me ofrece recargas a cambio de q le hable",
        "mi hija de 11 habla con alguien del roblox q le manda regalos",
        "un señor del tiktok me dice q me quiere y q nadie me entiende como el",
        "quiero saber mas sobre los adultos q buscan chicas por internet",
        "un desconocido me agrego y ya me pregunta si estoy sola en mi casa",
        "un chico q conoci en el juego me pide q hablemos por otra app mas privada",
        "hay un profe q me escribe por whatsapp cosas raras de noche",
    ],
    "sextortion": [
        "mi enamorado me pide pack y no se q hacer", "pucha mande una foto y ahora me arrepiento",
        "un chico me pide fotos sin ropa", "me dicen q si no mando fotos me dejan",
        "quiero saber sobre las fotos intimas y los riesgos", "mi ex tiene fotos mias y me preocupa",
        "en el curso estan pasando un pack de una chica", "me llegaron fotos intimas de una compañera al grupo",
        "me pidieron video llamada sin ropa", "un perfil falso me pide nudes",
        "subieron mi foto editada como si estuviera desnuda", "sextorsion",
    ],
    "job_offers": [
        "me ofrecen trabajo en españa con todo pagado", "vi en facebook q buscan chicas para atender en un local en cobija",
        "una señora me ofrece trabajo de empleada en santa cruz y dice q ella paga el pasaje",
        "me escribieron por tiktok para ser modelo y ganar en dolares",
        "una agencia me dice q hay trabajo en brasil para costura", "quiero informacion sobre ofertas de trabajo falsas",
        "me ofrecen 500 dolares por mes cuidando niños en chile", "buscan señoritas de buena presencia sin experiencia",
        "mi prima se quiere ir a trabajar a argentina con un señor q conocio en internet",
        "me piden q viaje sola para una entrevista de trabajo en otra ciudad",
        "trabajo de anfitriona en un karaoke paga bien, sera confiable",
        "me quieren llevar a trabajar a la cosecha en otro pais",
    ],
    "privacy": [
        "como hago para q nadie vea mis fotos", "me hackearon el whatsapp", "olvide mi contraseña de facebook",
        "alguien publica con mi cuenta", "como activo la verificacion en dos pasos", "como saber si me espian el celular",
        "es malo subir fotos con uniforme del cole", "quiero cerrar mi sesion en otro celular",
        "como bloqueo a alguien en instagram", "hay un perfil falso con mis fotos", "mi ubicacion aparece en snapchat",
        "q datos no debo publicar", "como hago mi tiktok privado", "me pidieron el codigo de whatsapp q me llego",
        "mi contraseña es mi fecha de nacimiento, esta mal?", "privacidad",
    ],
    "cyberbullying": [
        "en el grupo del curso me dicen gorda", "me sacaron fotos y las pusieron con stickers para reirse",
        "hicieron un tiktok burlandose de mi", "me dicen indio en los comentarios", "nadie me habla en el grupo y me sacaron",
        "un perfil anonimo me insulta todos los dias", "se rien de mi por mi ropa en insta",
        "me mandan audios insultandome", "publicaron un meme de mi profe y me da pena",
        "a mi amigo le dicen maricon en el grupo", "acoso en redes", "me hacen bullying por internet",
        "en el cole hicieron una encuesta de quien es el mas feo y pusieron mi nombre",
    ],
    "caregivers": [
        "buenas tardes señorita soy mama de una niña de 13 años y quisiera saber como cuidarla en el internet",
        "mi hijo de 10 años quiere celular que me aconseja", "que aplicaciones son seguras para mis hijos",
        "como pongo control parental en el celular de mi hija", "soy abuela y cuido a mis nietos que pasan en el telefono",
        "como le hablo a mi hijo de los peligros sin que se enoje", "mi hija no suelta el celular ni para comer",
        "que señales debo ver si a mi hijo le pasa algo en internet", "reglas para el uso del celular en casa",
        "soy profesora y quiero orientar a los padres de familia", "mi hijo adolescente ya no me cuenta nada",
        "cuantas horas de celular es normal para un niño", "tengo que revisar el celular de mi hija o es invadir su privacidad",
        "mi esposo y yo trabajamos todo el dia y los chicos estan solos con internet",
    ],
    "help_lines": [
        "a donde puedo llamar", "numero de ayuda porfa", "hay alguna linea gratuita", "donde puedo denunciar",
        "telefono de la policia", "numero de la defensoria de la niñez", "a q hora atienden", "hay atencion de noche",
        "donde esta la felcv en el alto", "a quien acudo", "q institucion me puede ayudar", "donde hago la denuncia",
        "me pasas los numeros", "linea de ayuda", "necesito un telefono de ayuda", "hay un numero para denunciar trata",
        "el 110 es gratis", "donde queda la defensoria", "atienden los domingos", "hay oficina en san borja",
        "numero de emergencia", "quiero denunciar, a donde voy", "contactos de emergencia", "donde pido ayuda en cochabamba",
        "hay ayuda en santa cruz", "slim q es", "como llego a la defensoria",
    ],
    "talk_to_person": [
        "quiero hablar con alguien de verdad", "hay una persona q me pueda atender", "pasame con un humano",
        "necesito hablar con una psicologa", "quiero hablar con un consejero", "eres un robot? quiero una persona",
        "me puede atender una señorita", "quiero chatear con alguien real", "hablar con alguien del equipo",
        "quiero contarle a alguien", "no quiero bot quiero persona", "necesito hablar con alguien ahora",
        "alguien me puede escuchar", "puedo hablar con una persona por aqui", "con una persona porfa",
        "necesito orientacion de una persona", "quiero un psicologo", "con quien hablo", "hay alguien ahi",
        "una persona real x favor", "me comunica con un asesor", "quisiera hablar con una profesional",
        "quiero hablar con alguien no con maquina", "un humano please", "atencion personal", "me ayuda una persona",
        "necesito desahogarme con alguien", "quiero q me llame alguien",
    ],
    "delete_my_data": [
        "borra todo lo q te escribi", "elimina mis mensajes", "no quiero q quede nada de lo q hable",
        "borren mi informacion", "quiero q me olvides", "eliminen mi numero", "como borro mis datos",
        "borrar mi historial", "elimina esta conversacion", "no guarden lo q dije", "borra mi cuenta",
        "quiero q eliminen mis datos personales", "tienen mis datos? borrenlos", "eliminar todo",
        "borra mis datos porfa", "no quiero q mi mama vea esto, borralo", "puedes borrar lo q te conte",
        "quiero eliminar mi registro", "q hacen con mis datos, quiero q los borren", "borrar conversacion",
        "eliminar mi informacion", "borra todo", "olvidate de mi", "quiero borrar mi perfil aqui",
        "borralo todo por favor", "elimina mi chat", "suprimir mis datos", "borrar todo lo q dije",
    ],
    "stop": [
        "ya no me manden nada", "no quiero mas mensajes", "dejen de escribirme", "parar mensajes", "ya basta de mensajes",
        "desuscribir", "darme de baja", "no me interesa recibir mensajes", "quitenme de la lista", "cancelar suscripcion",
        "stop porfa", "ya no quiero esto", "no me escriban", "salirme", "quiero salir de esto", "no mas",
        "deja de mandarme", "ya no quiero recibir consejos", "baja", "no quiero notificaciones", "alto", "para ya",
        "no me sigas escribiendo", "unsubscribe", "dejen de molestar con mensajes", "apagar mensajes",
        "detener mensajes", "sacame de aqui",
    ],
    "out_of_scope": [
        "quien gano el clasico", "cuanto cuesta el dolar", "q me recomiendas para comer", "eres tonto",
        "bot inutil", "jajaja", "cuentame algo divertido", "cual es tu color favorito", "tienes novio",
        "q dia es hoy", "como va a estar el clima mañana", "ayudame con mi tarea de fisica", "cuanto es 15 por 8",
        "q canciones te gustan", "sabes bailar caporales", "donde puedo comprar un celular barato",
        "recomiendame una serie", "quien es messi", "como se hace un api", "cuando es el carnaval de oruro",
        "me aburro", "estas vivo?", "eres hombre o mujer", "cuanto cuesta el pasaje a cocha",
        "eres un idiota", "donde venden salteñas ricas", "jugamos algo", "q opinas del bolivar",
        "me prestas plata", "como se dice perro en ingles",
    ],
}

# Topic questions by kind of question: each list is one direct answer (faq/<topic>_<kind>).
ES_QUESTIONS: dict[str, dict[str, list[str]]] = {
    "grooming": {
        "what_is": ["q es grooming", "que significa grooming", "q quiere decir groomin", "el grooming q es exactamente",
                    "me explicas q es el grooming", "grooming es lo de los adultos q engañan a chicos?"],
        "signs": ["como se si un adulto me quiere engañar por internet", "q señales hay de grooming",
                  "como reconozco a un acosador en linea", "como se si el chico del juego es de verdad de mi edad",
                  "es raro q alguien q no conozco me de regalos", "q senales tiene mi hija si alguien la esta engañando"],
        "what_to_do": ["q hago si un adulto me pide q guardemos un secreto", "q hago si un señor me escribe cosas raras",
                       "como hago q un desconocido me deje de escribir", "q hago si alguien mayor me quiere conocer",
                       "que hago si ya le mande mi numero a un desconocido"],
        "is_crime": ["es delito q un adulto le pida fotos a una menor", "donde denuncio a un adulto q acosa a mi hija",
                     "el grooming es delito en bolivia", "se puede denunciar a alguien q engaña a niños por internet",
                     "a donde reporto un perfil q molesta a menores"],
        "help_friend": ["como ayudo a mi amiga q habla con un señor mayor", "mi amigo se va a ver con alguien del juego q hago",
                        "como le digo a mi prima q ese chico no es de fiar", "mi compañera tiene un novio de internet mucho mayor, como la ayudo"],
    },
    "sextortion": {
        "what_is": ["q es sextorsion", "que significa sextorsion", "q es pasar pack", "sextorsion q es",
                    "me explicas q es la sextorsion"],
        "signs": ["como se si me quieren extorsionar con fotos", "q señales hay de q alguien quiere mis fotos",
                  "como saber si un perfil q pide fotos es falso", "es normal q mi enamorado insista con las fotos",
                  "como reconozco una estafa de fotos intimas"],
        "what_to_do": ["q hago si ya mande una foto intima", "que hago si me piden nudes", "q hago si alguien pasa mi foto",
                       "como hago para q borren mi foto", "q hago si me amenazaron con mis fotos hace tiempo",
                       "si alguien me pide pack q le digo"],
        "is_crime": ["es delito mandar fotos intimas de otra persona", "es delito pedir pack a una menor", "donde denuncio si pasan mi foto",
                     "la ley castiga a los q difunden fotos intimas?", "se puede denunciar si suben mi video",
                     "es ilegal reenviar un pack"],
        "help_friend": ["como ayudo a mi amiga q pasaron su pack", "mi amigo mando fotos y lo amenazan como le ayudo",
                        "q le digo a mi hija si mando fotos", "mi compañera esta mal xq circula su foto q hago"],
    },
    "job_offers": {
        "what_is": ["q es la trata de personas", "trata y trafico q es", "q es una oferta de trabajo falsa",
                    "que significa trata laboral", "me explicas q es la trata"],
        "signs": ["como me doy cuenta si un anuncio de trabajo es trucho", "q señales tiene un trabajo trampa",
                  "como reconozco una agencia trucha", "es normal q paguen el pasaje antes de conocerte",
                  "como saber si una oferta de facebook es real", "q senales hay de trata en un anuncio"],
        "what_to_do": ["q hago antes de aceptar un trabajo en otro pais", "como verifico una oferta de trabajo",
                       "q hago si ya acepte un trabajo y me da mala espina", "como viajo seguro por trabajo",
                       "q debo preguntar antes de irme a trabajar lejos"],
        "is_crime": ["es delito quitarle el carnet a un trabajador", "donde denuncio una agencia de empleo falsa",
                     "la trata es delito en bolivia", "a donde reporto un anuncio sospechoso de trabajo",
                     "es legal q no me paguen y no me dejen ir"],
        "help_friend": ["como ayudo a mi amiga q se quiere ir a trabajar con un desconocido",
                        "mi hermana acepto un trabajo raro en chile q hago", "como convenzo a mi primo q esa oferta es trampa",
                        "mi hija quiere irse a trabajar a otra ciudad como la protejo"],
    },
    "privacy": {
        "what_is": ["para q sirve la verificacion en 2 pasos", "q es privacidad en redes", "q es un perfil falso",
                    "q es el phishing", "q significa datos personales"],
        "signs": ["como se si hackearon mi cuenta", "como saber si alguien entra a mi whatsapp",
                  "como se si un link es falso", "como se si me rastrean la ubicacion", "señales de q me robaron la cuenta"],
        "what_to_do": ["q hago si me robaron el facebook", "como recupero mi instagram", "como pongo una contraseña segura",
                       "q hago si alguien se hace pasar por mi", "como apago la ubicacion en whatsapp",
                       "que hago si di mi codigo de whatsapp"],
        "is_crime": ["es delito hackear una cuenta", "donde denuncio un perfil falso con mis fotos",
                     "es delito hacerse pasar por otra persona en internet", "a donde reporto q me robaron la cuenta",
                     "se puede denunciar a quien publica mis datos"],
        "help_friend": ["como ayudo a mi amiga q le hackearon el face", "mi amigo comparte su ubicacion con todos como le digo",
                        "como ayudo a mi mama a poner su cuenta privada", "como enseño a mi hijo a cuidar su contraseña"],
    },
    "cyberbullying": {
        "what_is": ["q es el ciberbullying", "q significa ciberacoso", "q es acoso en redes", "el ciberbullying q es",
                    "q es el bullying por internet"],
        "signs": ["como se si me estan haciendo ciberbullying", "como saber si mi hijo sufre acoso en redes",
                  "es bullying si solo es una broma", "q señales hay de ciberacoso", "como reconozco el acoso en un grupo"],
        "what_to_do": ["q hago si me insultan en el grupo", "q hago si me hacen memes", "como denuncio una cuenta q me molesta",
                       "q hago si me sacan del grupo del curso a proposito", "debo responder a los q me insultan?",
                       "como guardo pruebas del acoso"],
        "is_crime": ["es delito el ciberacoso", "donde denuncio el bullying por internet", "se puede denunciar a los q hacen memes de uno",
                     "el colegio tiene q hacer algo si me acosan en redes", "es ilegal crear una cuenta para burlarse"],
        "help_friend": ["como ayudo a mi amigo q le hacen bullying", "mi amiga esta triste xq se burlan de ella en tiktok q hago",
                        "como defiendo a un compañero en el grupo", "mi hijo sufre acoso en redes como lo apoyo"],
    },
    "caregivers": {
        "what_is": ["q es el control parental", "q es la crianza digital", "q significa acompañar en internet",
                    "q es el tiempo de pantalla", "q son las aplicaciones de control para padres"],
        "signs": ["q señales debo ver en mi hijo", "como se si mi hija esta en peligro en internet",
                  "como me doy cuenta si mi hijo habla con extraños", "q cambios de conducta me deben preocupar",
                  "como saber si mi hijo esta enviciado con el celular"],
        "what_to_do": ["como hablo con mi hijo de internet", "q hago si mi hija no quiere dejar el celular",
                       "como pongo reglas de celular en la casa", "q hago si encuentro mensajes raros en el celular de mi hijo",
                       "como acompaño a mi hija sin espiarla"],
        "is_crime": ["donde denuncio si alguien molesta a mi hijo por internet", "es delito q un adulto escriba a mi hija de noche",
                     "a donde voy si mi hijo sufre acoso", "puedo denunciar a la persona q le pide fotos a mi hija",
                     "q institucion protege a los niños en bolivia"],
        "help_friend": ["como ayudo a otra mama q su hija tiene problemas en internet", "como oriento a mis sobrinos",
                        "como ayudo a mi vecina con su hijo q pasa todo el dia en el celular",
                        "soy profesor como ayudo a un alumno q sufre en redes"],
    },
}

# Quechua range drafts (review: draft): teens mixing Spanish, caregivers dictating, rural spellings.
QU_RANGE: dict[str, list[str]] = {
    "greet": [
        "imaynalla wawqi", "imaynalla pani", "allinllachu kachkanki", "napaykuyki", "rimaykullayki", "imaynalla kachkanki mamay",
        "hola imaynalla", "buenos dias imaynalla", "allin p'unchay", "allin sukha", "allin tuta", "imaynalla tatay",
        "imaynallataq", "hola wawqi imaynalla", "imaynalla kachkankichik", "allillanchu pani", "napaykamuykichik",
        "imaynalla amigo", "hola allinllachu", "imaynalla kachkan",
    ],
    "goodbye": [
        "tupananchikkama wawqi", "ripuchkanima", "ripusaq", "q'aya p'unchaykama", "huk kutikama", "chau tupananchikkama",
        "ripusaqña pani", "allinlla kay", "tutakama", "ripunayña", "qhipaman rimasun", "ripuni chau", "kutimusaq",
        "tupananchikkama mamay", "huk p'unchaykama wawqi", "puñuq risaq", "chau wawqi", "ripunaymi kachkan",
        "allinlla kachun", "rimasunchik qhipaman",
    ],
    "thanks": [
        "añaychayki wawqi", "añaychayki pani", "sulpayki mamay", "ancha sulpayki", "añay añay", "yusulpayki tatay",
        "gracias añaychayki", "añaychayki yanapasqaykimanta", "sulpayki willasqaykimanta", "diospagarapusunki",
        "añaychayki allinmi karqa", "sinchi añaychayki", "añaychayki wawqi yanapawanki", "pachi", "añaychayki kunan yachaniña",
        "sulpayki yachachiwasqaykimanta", "añaychayki sunquymanta", "graciasta qusqayki", "añaychayki amiga",
        "sulpayki ancha allin",
    ],
    "affirm": [
        "arí wawqi", "ari pani", "arí allinmi", "ari ari", "allinmi kachkan", "arí munani", "ari chayta munani", "ya ari",
        "ari, allinmi kanqa", "chiqapmi chay", "ari ruwasun", "allin", "ari qatisun", "ari rikuchiway", "arí, ari",
        "ari chaymi", "ari allinta", "ari munaniyá", "ari ya", "ari mamay",
    ],
    "deny": [
        "mana wawqi", "mana pani", "manam", "mana munanichu", "mana kunanqa", "manaraq kunanchu", "mana chaychu",
        "ama kunanqa", "mana gracias", "mana ari", "mana imapas", "manaña", "mana yanapasunkichu", "mana chay munanichu",
        "mana munanichu chayta", "ama chayta", "mana mamay", "mana tatay", "mana kunan p'unchaychu", "mana ni imapas",
    ],
    "menu": [
        "menuta rikuchiway", "menuman kutiy", "qallariymanta", "musuqmanta qallarisun", "imakunatataq kan",
        "ima temakuna kan", "imatataq ruwayta atinki", "qhipaman kutiy", "opcionkunata qhawachiway", "menu por favor",
        "hatun menuman", "imapaqtaq kanki", "imakunamanta rimanki", "kutimuy qallariyman", "llapan temakunata rikuchiway",
        "menuta munani", "qallariyman kutiyta munani", "ima ruwanataq kay", "menu wawqi", "opcionkuna",
    ],
    "change_language": [
        "castellanopi rimasun", "español simipi", "aymara simipi rimay", "runasimipi rimankichu", "runasimipi por favor",
        "mana runasimita yachanichu castellanopi", "simita cambiay", "huk simiman tikray", "aymarapi munani",
        "castellanoman tikray", "runasimipi qillqamuway", "español simipi por favor", "quechuapi rimasun",
        "aymarata rimankichu", "idiomata cambiay", "runasimita munani", "castellano simipi aswan allin",
        "ima simikunapitaq rimanki", "quechuapi qillqay", "español munani",
    ],
    "grooming": [
        "huk kuraq runa sapa p'unchay qillqamuwan munakuyki nispa", "huk runa regalokunata apachimuwan pakallapi",
        "free firepi huk runa reqsinakuyta munan", "huk qhari instagrampi munasqayki nin", "huk runa recargata qun rimanaypaq",
        "ususiy robloxpi huk runawan rimachkan", "huk mana reqsisqa runa tapuwan sapallachu kanki wasipi nispa",
        "huk runa chatkunata pichay nin", "huk profesor tutapi qillqamuwan", "huk runa tiktokpi nin ñuqalla entiendeyki",
        "grooming ima ninantaq", "imaynatataq yachasaq huk kuraq runa engañawachkan chayta",
        "imatataq ruwasaq huk runa pakallapi kachun nin chayqa", "groomingqa delitochu", "maypitaq denunciasaq chay runata",
        "amigayta huk kuraq runa qillqamun imaynatataq yanapasaq", "ima señalkuna kan grooming",
        "huk runa fotoyta mañawan imatataq ruwasaq",
        "juegopi reqsisqay runa huk appman pasasun nin", "primayqa internetpi kuraq enamoradoyuq imaynata yanapasaq",
    ],
    "sextortion": [
        "enamoradoy packta mañawan", "calata fotota apachirqani kunan llakikuni", "huk runa mana p'achayuq fotokunata mañawan",
        "ex enamoradoypa fotoykuna kachkan", "cursopi huk sipaspa packninta apachinakuchkanku", "videollamadapi p'achata hurquy nin",
        "sextorsion ima ninantaq", "pack imataq", "imaynatataq yachasaq fotoywan extorsionawanqanku chayta",
        "imatataq ruwasaq fotota apachirqani chayqa", "nudeta mañawanku imatataq ruwasaq",
        "fotokunata apachinakuyqa delitochu", "maypitaq denunciasaq fotoyta churarqanku chayqa",
        "amigaypa packninta apachinakuchkanku imaynata yanapasaq", "ususiy fotota apachirqa imatataq nisaq",
        "perfil falso fotokunata mañawan", "fotoyta editaspa churarqanku", "packmanta yachayta munani",
        "imaynatataq fotoyta pichachisaq", "enamoradoy sapa kuti fotota mañawan chay normalchu",
    ],
    "job_offers": [
        "españapi llamk'ayta qumuwanku llapanta pagaspa", "facebookpi sipaskunata maskhanku cobijapi llamk'anankupaq",
        "huk señora santa cruzpi llamk'ayta qumuwan pasajeta pagan", "tiktokpi modelo kanaypaq qillqamuwanku",
        "brasilpi costurapi llamk'ay kan nin", "chilepi wawakunata qhawanapaq dolarespi pagasunki nin",
        "primay argentinaman ripuyta munan internetpi reqsisqan runawan", "sapallay huk llaqtaman entrevistapaq riy nin",
        "trata ima ninantaq", "imaynatataq yachasaq llamk'ay anuncio falsochus", "ima señalkuna kan trampa llamk'aypi",
        "imatataq ruwasaq manaraq huk suyuman llamk'aq ripuspa", "imaynata verificasaq llamk'ay ofertata",
        "carnetta qichuyqa delitochu", "maypitaq denunciasaq agencia falsata", "tratapas delitochu boliviapi",
        "amigay mana reqsisqa runawan llamk'aq ripuyta munan imaynata yanapasaq",
        "ñañay chilepi rarota llamk'ayta aceptarqa imatataq ruwasaq", "karaokepi llamk'ay allinta pagan confiablechu",
        "llamk'ay ofertakunamanta yachayta munani",
    ],
    "privacy": [
        "whatsappniyta hackearqanku", "facebookpa contraseñanta qunqarqani", "pipas cuentaywan publican",
        "imaynatataq verificacion en dos pasos churasaq", "perfil falso fotoykunawan kachkan", "tiktokniyta privado imaynata ruwasaq",
        "whatsapp codigota mañawanku", "fecha nacimientoy contraseñay chay mana allinchu", "privacidadmanta yachayta munani",
        "verificacion en dos pasos ima ninantaq", "imaynatataq yachasaq cuentayta hackearqanku chayta",
        "imaynata yachasaq celularniyta espiawanku chayta", "imatataq ruwasaq facebookniyta suwarqanku chayqa",
        "imaynatataq instagramniyta kutichisaq", "cuentata hackeayqa delitochu", "maypitaq denunciasaq perfil falsota",
        "amigaypa facebookninta hackearqanku imaynata yanapasaq", "mamayta yanapayta munani cuentan privado kananpaq",
        "ubicacionniyta imaynata wañuchisaq", "ima datokunata mana churanaychu",
    ],
    "cyberbullying": [
        "cursopa grupopi wira nispa k'amiwanku", "fotoyta hurqhuspa stickerkunawan asikunku", "tiktokta ruwarqanku nuqamanta asikuspa",
        "comentariokunapi indio niwanku", "grupomanta hurqhuwanku mana pipas rimawanchu", "perfil anonimo sapa p'unchay k'amiwan",
        "audiokunata apachimuwanku k'amispa", "ciberbullying ima ninantaq", "ciberacoso imataq",
        "imaynatataq yachasaq ciberbullying ruwawachkanku chayta", "broma nispalla chaypas bullyingchu",
        "imatataq ruwasaq grupopi k'amiwanku chayqa", "imatataq ruwasaq memekunata ruwanku chayqa", "ciberacosoqa delitochu",
        "maypitaq denunciasaq internetpi bullyingta", "amigoyta bullyingta ruwanku imaynata yanapasaq",
        "amigay llakisqa tiktokpi asikunku imatataq ruwasaq", "churiy redespi acosota muchuchkan imaynata yanapasaq",
        "pruebakunata imaynata waqaychasaq", "redespi acosomanta yachayta munani",
    ],
    "caregivers": [
        "mamay kani 13 watayuq ususiy kan internetpi imaynata cuidasaq", "churiy 10 watayuq celularta munan ima nisaq",
        "ima aplicacionkuna allin wawaykunapaq", "ususiypa celularninpi control parental imaynata churasaq",
        "hatun mama kani willkaykuna telefonollapi kanku", "churiywan imaynata rimasaq mana phiñakunanpaq",
        "ususiy mana celularta saqinchu mikhunanpaqpas", "wasipi celularpaq kamachikuykuna", "churiy mana imatapas willawanchu",
        "control parental ima ninantaq", "ima señalkunata qhawanay wawaypi", "imaynata yachasaq churiy mana reqsisqawan rimachkan chayta",
        "imaynatataq churiywan internetmanta rimasaq", "imatataq ruwasaq churiypa celularninpi mana allin mensajekunata tarispa",
        "maypitaq denunciasaq churiyta internetpi molestanku chayqa", "ima institucion wawakunata amachan boliviapi",
        "huk mamata yanapayta munani ususin internetpi sasachakuyniyuq", "profesor kani imaynata huk yachachisqayta yanapasaq",
        "tatakunapaq yuyaychaykuna internetmanta", "qusaywan llamk'ayku wawakuna sapallanku internetwan",
    ],
    "help_lines": [
        "maymantaq waqyayta atini", "yanapana numerota qumuway", "mana pagaspa linea kanchu", "maypitaq denunciayta atini",
        "policiaq telefonon", "defensoriaq numeron", "ima horapitaq atienden", "tutapi atiendenkuchu", "el altopi felcv maypi",
        "pimantaq risaq", "ima institucion yanapawanman", "maypitaq denunciata ruwasaq", "numerokunata apachimuway",
        "yanapa linea", "tratamanta denunciapaq numero kanchu", "110 mana pagaspachu", "defensoria maypitaq kachkan",
        "domingopi atiendenkuchu", "cochabambapi maypi yanapata mañasaq", "emergencia numero",
    ],
    "talk_to_person": [
        "chiqap runawan rimayta munani", "huk runa atiendewanmanchu", "huk runawan pasachiway", "psicologawan rimayta munani",
        "consejerowan rimayta munani", "robotchu kanki runata munani", "huk señoritawan rimayta munani",
        "equipomanta pipaswan rimay", "pimanpas willayta munani", "mana botta munanichu runata munani",
        "kunanpacha pipaswan rimayta munani", "pipas uyariwanmanchu", "runawan por favor", "psicologota munani",
        "pipas kachkanchu", "chiqap runa por favor", "huk profesionalwan rimayta munani", "mana maquinawan runawan",
        "sunquyta kichayta munani pipaswan", "pipas waqyamuwachun",
    ],
    "delete_my_data": [
        "qillqasqayta llapanta pichay", "mensajekunayta chinkachiy", "rimasqaymanta ama imapas qhipakuchun",
        "informacionniyta pichaychik", "qunqaway", "numeroyta chinkachiy", "imaynatataq datosniyta pichasaq",
        "historialniyta pichay", "kay rimanakuyta chinkachiy", "ama waqaychaychikchu niskayta", "cuentayta pichay",
        "datos personalniykunata chinkachiychik", "datosniyta hap'inkichikchu pichaychik", "llapanta chinkachiy",
        "mamay ama rikunanpaq pichay", "willasqayta pichayta atinkichu", "registroyta chinkachiy", "chatniyta pichay",
        "ñuqamanta qunqakuy", "llapanta pichay por favor",
    ],
    "stop": [
        "amaña imatapas apachimuwaychu", "manaña mensajekunata munanichu", "amaña qillqamuwaychikchu", "mensajekunata sayachiy",
        "ñam basta mensajekuna", "desuscribiy", "listamanta hurquway", "suscripcionta cancelay", "stop por favor",
        "manaña kayta munanichu", "ama qillqamuwaychu", "lluqsiyta munani", "kaymanta lluqsiy", "manaña mensajekuna",
        "amaña yuyaychaykunata apachimuwaychu", "notificacionkunata mana munanichu", "sayay kunan", "amaña qillqamuwaychu ari",
        "mensajekunata wañuchiy", "kaymanta hurquway",
    ],
    "out_of_scope": [
        "pitaq clasicota atiparqa", "dolar hayk'a", "ima mikhunata munanki", "sonso kanki", "mana valeq bot", "jajaja",
        "asikunapaq imatapas willaway", "ima colortataq munanki", "enamoradayuqchu kanki", "ima p'unchaytaq kunan",
        "paranqachu paqarin", "fisicamanta tareaypi yanapaway", "chunka pichqayuq pusaqwan hayk'a", "ima takikunata munanki",
        "caporalesta tusuyta yachankichu", "maypi celular pisi chaniyuq rantikun", "serieta recomendaway", "messi pitaq",
        "oruropi carnaval hayk'aq", "qullqita mañaway",
    ],
}

# Aymara range drafts (review: draft): El Alto teens mixing Spanish, caregivers dictating, rural spellings.
AY_RANGE: dict[str, list[str]] = {
    "greet": [
        "kamisaki jilata", "kamisaki kullaka", "kamisaraki kullaka", "walikiskiti", "hola kamisaki",
        "aski urukipan kullakanaka", "aski jayp'ukipan tata", "aski arumakipan mama", "kamisak", "kamisaraki jilatanaka",
        "hola jilata kamisaki", "buenos dias kamisaki", "kamisaki mamita", "kamisaraki waliki", "kamisaki amiga",
        "waliki jilata", "hola kamisaraki", "kamisaki tatitu", "aski urukipanay",
    ],
    "goodbye": [
        "jikisinkama jilata", "jikisiñkama kullaka", "sarxañaniw jilatanaka", "sarxaña", "qharurkama", "mayampi jikisiñani chau",
        "chau jikisiñkama", "sarxañaniw", "arumkama", "sarxarakiwa", "qhiparu parlañani", "ikiriw saraña", "kutt'anjarakiwa",
        "jikisiñkama mama", "mä urukama jilata", "chau jilata", "sarxaskta", "waliki sarxañani", "jikisiñkamay",
        "qharurukama kullaka",
    ],
    "thanks": [
        "yuspajara jilata", "yuspajara kullaka", "yuspagara mama", "walja yuspajara", "yuspajarapuniw", "yuspara tata",
        "gracias yuspajara", "yuspajara yanapt'atamata", "yuspajara yatiyatamata", "diosawa pagarapitam",
        "yuspajara walikiwa", "jach'a yuspajara", "yuspajara jilata yanapista", "yuspajara jichhax yatxtwa",
        "yuspajara yatichatamata", "yuspajara chuymat", "yuspagarsmapuni", "yuspajara amiga", "yuspajara wali askiwa",
        "yuspar",
    ],
    "affirm": [
        "jisa jilata", "jisa kullaka", "jisa walikiwa", "jisa jisa", "walikiskiwa", "jisa munta", "jisa ukaw munta",
        "ya jisa", "jisa por favor", "chiqapawa uka", "jisa lurañani", "waliki", "jisa sarantañani", "jisa uñacht'ayita",
        "jisaw", "jisa ukhamawa", "jisa wali", "jisay", "jisa mama", "jisa tata", "jisa juma", "ukhamapuniwa",
    ],
    "deny": [
        "jani jilata", "jani kullaka", "janiwa munkti", "janiw jichhax", "janiraqi jichhaxa", "jan ukati", "jani jichhaxa",
        "jani gracias", "janiwa", "jani kunas", "janiw juk'ampi", "janiw yanapkituti", "jani uk munkti", "jan ukxa",
        "jani mama", "jani tata", "janiw jichhuruxa", "janiw kunas", "janipuni", "jani ukhamaxa",
    ],
    "menu": [
        "menú uñacht'ayita", "menuru kutt'aña", "qalltatpacha", "wasitat qalltañani", "kunanakas utji",
        "kuna temanakas utji", "kunsa luraspa", "nayraru kutt'aña", "opcionanak uñjayita", "menu por favor",
        "jach'a menuru", "kunatakis jumaxa", "kunanakat parlta", "qalltaru kutt'aña", "taqi temanak uñacht'ayita",
        "menú munta", "qalltaru kutt'añ munta", "kunjams aka apnaqasi", "menu jilata", "opcionanaka",
    ],
    "change_language": [
        "castellanot parlañani", "españolat parlam", "runasimit parlam", "aymarat parlta", "aymar arut por favor",
        "janiw aymar aru yatkti castellanot", "aru mayjt'ayaña", "yaqha aruru mayjt'aya", "quechuat munta",
        "castellanoru mayjt'aya", "aymar arut qillqt'ita", "español arut por favor", "quechuat parlañani",
        "runasimi yatisti", "idioma mayjt'aya", "aymar aru munta", "castellanox juk'amp askiwa",
        "kuna arunakat parlta", "quechuat qillqt'am", "español munta",
    ],
    "grooming": [
        "mä jilir jaqiw sapa uru qillqt'itu munsmaw sasa", "mä jaqiw regalonak imantat apayanitu",
        "free firen mä jaqiw uñt'asiñ muni", "mä chachaw instagraman munsmaw situ", "mä jaqiw recarga churitu parlañataki",
        "phuchajax roblox ukan mä jaqimp parlaski", "mä jan uñt'at jaqiw jiskt'itu sapakitati utan sasa",
        "mä jaqiw chatanak chhaqhayañ situ", "mä profesoraw arumanakan qillqt'itu", "mä jaqiw tiktokan naya sapakiw amuyirisma situ",
        "grooming kamsañsa muni", "kunjams yatä mä jilir jaqiw sallqjañ munitu", "kuns lurä mä jaqiw imantat uk situ",
        "groomingax juchati", "kawkins denunciä uka jaqi", "amigajaruw mä jilir jaqi qillqt'i kunjams yanapt'ä",
        "kuna señalanakas grooming utji", "mä jaqiw fotoj mayitu kuns lurä",
        "juegon uñt'at jaqiw yaqha appar saraña situ", "primajax internetan jilir novioni kunjams yanapt'ä",
    ],
    "sextortion": [
        "noviojax pack mayitu", "q'ala foto apayta jichhax llakitatwa", "mä jaqiw jan isini fotonak mayitu",
        "ex noviojan fotonakaj utji", "cursonxa mä imillan packap apayasipki", "videollamadan isi apsuña situ",
        "sextorsión kamsañsa muni", "pack kunasa", "kunjams yatä fotojampi extorsionapxitani",
        "kuns lurä foto apayta ukaxa", "nude mayipxitu kuns lurä", "fotonak apayasiñax juchati",
        "kawkins denunciä fotoj uñacht'ayapxi ukaxa", "amigajan packap apayasipki kunjams yanapt'ä",
        "phuchajax foto apayi kuns sä", "perfil falsox fotonak mayitu", "fotoj editasaw uñacht'ayapxi", "pack tuqit yatiñ munta",
        "kunjams fotoj chhaqhayä", "noviojax sapa kuti foto mayitu ukax walikiti",
    ],
    "job_offers": [
        "españan irnaqaw churapxitu taqi payllatampi", "facebookan imillanak thaqapxi cobijan irnaqañataki",
        "mä señoraw santa cruzan irnaqaw churitu pasaje payllani", "tiktokan modelo irnaqañatak qillqt'apxitu",
        "brasilan costuran irnaqaw utji sapxi", "chilen wawanak uñjañataki dolaramp payllapxätam sapxi",
        "primajax argentinar sarañ muni internetan uñt'at jaqimpi", "sapaki yaqha markar entrevistatak sarañ sapxitu",
        "trata kamsañsa muni", "kunjams yatä irnaqaw anuncio k'arinati", "kuna señalanakas sallqa irnaqawin utji",
        "kuns lurä janïr yaqha markar irnaqir sarkasa", "kunjams irnaqaw oferta uñakipä",
        "carnet aparañax juchati", "kawkins agencia falsa denunciä", "tratax bolivian juchati",
        "amigajax jan uñt'at jaqimp irnaqir sarañ muni kunjams yanapt'ä",
        "kullakajax chilen mä muspa irnaqaw katuqi kuns lurä", "karaoken irnaqaw wali payllapxi confiableti",
        "irnaqaw ofertanak tuqit yatiñ munta",
    ],
    "privacy": [
        "whatsappaj hackeapxitu", "facebook contraseñaj armasta", "khitis cuentajampi publicaski",
        "kunjams verificación en dos pasos uchä", "perfil falsox fotonakajampi utji", "tiktokaj privado kunjams lurä",
        "whatsapp codigo mayipxitu", "contraseñajax nacimiento urujawa uka jan walikiti", "privacidad tuqit yatiñ munta",
        "verificación en dos pasos kamsañsa muni", "kunjams yatä cuentaj hackeapxi",
        "kunjams yatä celularaj espiapxitu", "kuns lurä facebookaj lunthatapxitu", "kunjams instagramaj kutt'ayä",
        "cuenta hackeañax juchati", "kawkins perfil falso denunciä", "amigajan facebookap hackeapxi kunjams yanapt'ä",
        "taykajar yanapt'añ munta cuentapax privado uñjañapataki", "ubicacionaj kunjams jiwayä", "kuna datonaks jan uchañakiti",
    ],
    "cyberbullying": [
        "curso grupon lik'iw sapxitu", "fotoj apsusaw stickernakamp larusipxi", "tiktok lurapxi nayat larusisa",
        "comentarionakan indio sapxitu", "grupot apsupxitu janiw khitis parlkituti", "perfil anonimox sapa uru jisk'achitu",
        "audionak apayanipxitu jisk'achasa", "ciberbullying kamsañsa muni", "ciberacoso kunasa",
        "kunjams yatä ciberbullying lurapxitu", "broma sasakiw ukas bullyingti", "kuns lurä grupon jisk'achapxitu ukaxa",
        "kuns lurä memenak lurapxitu ukaxa", "ciberacosox juchati", "kawkins internetan bullying denunciä",
        "amigojar bullying lurapxi kunjams yanapt'ä", "amigajax llakita tiktokan larusipxi kuns lurä",
        "yuqajax redes ukan acoso katuqaski kunjams yanapt'ä", "pruebanak kunjams imä", "redes acoso tuqit yatiñ munta",
    ],
    "caregivers": [
        "taykatwa 13 maranik phuchajax utji internetan kunjams uñjä", "yuqajax 10 maranikiwa celular muni kuns sä",
        "kuna aplicacionanakas wawanakajatak walikiwa", "phuchajan celularapan control parental kunjams uchä",
        "awichatwa allchhinakajax telefonompikiw", "yuqajampi kunjams parlä jan colerasiñapataki",
        "phuchajax celular janiw jaytkiti manq'añatakis", "utan celular apnaqañatak kamachinaka", "yuqajax janiw kuns yatiykituti",
        "control parental kamsañsa muni", "kuna señalanaks uñjañaxa wawajanxa", "kunjams yatä yuqajax jan uñt'atampi parlaski",
        "kunjams yuqajamp internet tuqit parlä", "kuns lurä yuqajan celularapan jan wali mensajenak jikxatasa",
        "kawkins denunciä yuqajar internetan jan walt'ayapxi ukaxa", "kuna institucionas wawanak jark'aqi bolivian",
        "mä taykar yanapt'añ munta phuchapax internetan jan walt'awinipi", "profesoratwa kunjams mä yatiqirir yanapt'ä",
        "awkinakatak iwxt'awinaka internet tuqita", "chachajampi irnaqapxta wawanakax sapakiw internetampi",
    ],
    "help_lines": [
        "kawkirus jawsirisma", "yanapa numero churita", "jan payllañ linea utjiti", "kawkins denunciaspa",
        "polician telefonopa", "defensorian numeropa", "kuna horas atiendipxi", "arumanakax atiendipxiti",
        "el alton felcv kawkinkisa", "khitiruy sarä", "kuna institucionas yanapitaspa", "kawkins denuncia lurä",
        "numeronak apayanita", "yanapa linea", "trata denunciañatak numero utjiti", "110 jan payllañati",
        "defensoria kawkinkisa", "tuminkun atiendipxiti", "cochabamban kawkins yanap mayiña", "emergencia numero",
    ],
    "talk_to_person": [
        "chiqpach jaqimp parlañ munta", "mä jaqix atendiñ atitaspati", "mä jaqir pasayita", "psicologamp parlañ munta",
        "consejerompi parlañ munta", "robotati jaqi munta", "mä señoritampi parlañ munta", "equipot khitimpis parlaña",
        "khitirus yatiyañ munta", "janiw bot munkti jaqi munta", "jichhapacha khitimpis parlañ munta",
        "khitis ist'itaspati", "jaqimpi por favor", "psicologo munta", "khitis utjiti", "chiqpach jaqi por favor",
        "mä profesionalampi parlañ munta", "jan maquinampi jaqimpi", "chuymaj jist'arañ munta khitimpis",
        "khitis jawsitaspa",
    ],
    "delete_my_data": [
        "qillqatanakaj taqpach chhaqhaya", "mensajenakaj chhaqhaya", "parlatanakajat jan kunas qhiparañapati",
        "informacionaj chhaqhayapxam", "armt'ita", "numeroj chhaqhaya", "kunjams datonakaj chhaqhayä",
        "historialaj chhaqhaya", "aka parlawi chhaqhaya", "jan imapxamti sistxa", "cuentaj chhaqhaya",
        "datos personalanakaj chhaqhayapxam", "datonakaj utjiti chhaqhayapxam", "taqpach chhaqhaya",
        "taykajax jan uñjañapataki chhaqhaya", "yatiyatanakaj chhaqhayasmati", "registroj chhaqhaya", "chataj chhaqhaya",
        "nayat armasim", "taqpach chhaqhaya por favor",
    ],
    "stop": [
        "jan kuns apayanxamti", "janiw mensajenak munxti", "jan qillqt'anxapxamti", "mensajenak sayt'ayaña",
        "basta mensajenaka", "desuscribiña", "listat apsuita", "suscripcion cancelaña", "stop por favor",
        "janiw akax munxti", "jan qillqt'itamti", "mistuñ munta", "akat mistuña", "janiw juk'amp mensaje",
        "jan iwxt'awinak apayanxamti", "notificacionanak janiw munkti", "jichhax sayt'aña", "jan qillqt'anxamti jilata",
        "mensajenak jiwayaña", "akat apsuita",
    ],
    "out_of_scope": [
        "khitis clasico atipi", "dolarax qawqhasa", "kuna manq'as munta", "jayra jumaxa", "jan wakiskir bot", "jajaja",
        "larusiñatak kuns yatiyita", "kuna colorsa munta", "noviamati", "kuna urus jichhuruxa",
        "qharurux jallukaniti", "fisica tareajan yanapita", "tunka phisqhani kimsaqallqump qawqhasa", "kuna kirkinak munta",
        "caporales thuqt'añ yatisti", "kawkins celular jisk'a chanini alasi", "serie recomendita", "messi khitisa",
        "oruron carnaval kunapachasa", "qullqi mayt'ita",
    ],
}


# More Quechua / Aymara questions (review: draft), two or three per kind of question and topic;
# their kind comes from KIND_PATTERNS.
QU_QUESTIONS: dict[str, list[str]] = {
    "grooming": ["groomingqa imataq", "imataq grooming nisqa", "ima señalkunapi reparasaq kuraq runa engañawachkan",
                 "imaynatataq yachasaq juegopi runa chiqap wayna kasqanta", "imatataq ruwasaq mana reqsisqa runa tupayta munan chayqa",
                 "imatataq ruwasaq kuraq runa regalokunata apachimuwan chayqa", "maypitaq denunciasaq ususiyta acosaq runata",
                 "kuraq runa wawakunata fotota mañanqa delitochu", "amigay juegopi runawan tupaq rinqa imaynatataq yanapasaq",
                 "primay kuraq runawan rimachkan imaynata yanapasaq"],
    "sextortion": ["sextorsionqa imataq", "pack apachiy ima ninantaq", "ima señalkuna kan fotokunawan extorsionanapaq",
                   "imaynata yachasaq perfil falso fotota mañawachkan", "imatataq ruwasaq fotoyta apachinakunku chayqa",
                   "imatataq ruwasaq packta mañawanku chayqa", "packta apachinakuyqa delitochu",
                   "maypitaq denunciasaq videoyta churarqanku chayqa", "amigaypa fotonta grupopi apachinku imaynata yanapasaq",
                   "amigoyta fotonwan amenazanku imaynatataq yanapasaq"],
    "job_offers": ["trata de personas imataq", "llamk'ay oferta falsa ima ninantaq", "imaynatataq yachasaq agencia falsa kasqanta",
                   "ima señalkuna kan llamk'ay anunciopi", "imatataq ruwasaq huk suyupi llamk'ayta qumuwanku chayqa",
                   "imatataq ruwasaq llamk'ay oferta mana allinchu hina", "trataqa delitochu", "maypitaq denunciasaq llamk'ay anuncio sospechosota",
                   "ñañay mana reqsisqa runawan llamk'aq rinqa imaynata yanapasaq", "amigayta imaynata yanapasaq trampa ofertata chaskinanpaq hina kachkan"],
    "privacy": ["privacidad imataq", "perfil falso ima ninantaq", "ima señalkuna kan cuentayta suwasqankuta",
                "imaynatataq yachasaq whatsappniyman pipas yaykun", "imatataq ruwasaq whatsapp codigota qurqani chayqa",
                "imatataq ruwasaq pipas ñuqa hina rikhurin chayqa", "huk runaq cuentanman yaykuyqa delitochu",
                "maypitaq denunciasaq datosniyta churanku chayqa", "amigayta imaynata yanapasaq contraseñanta cambiananpaq",
                "mamaypa whatsappninta hackearqanku imaynatataq yanapasaq"],
    "cyberbullying": ["ciberacoso imataq ninan", "redespi acoso imataq", "ima señalkuna kan ciberacosopaq",
                      "imaynatataq yachasaq churiy redespi acosota muchuchkan", "imatataq ruwasaq cuenta falsa asikuwan chayqa",
                      "imatataq ruwasaq grupomanta hurqhuwanku chayqa", "memekunata ruwayqa delitochu",
                      "maypitaq denunciasaq k'amiwaq cuentata", "compañeroyta grupopi k'aminku imaynata yanapasaq",
                      "amigayta tiktokpi asikunku imaynatataq yanapasaq"],
    "caregivers": ["control parental imataq", "pantalla tiempo ima ninantaq", "ima señalkunata qhawanay churiypi internetmanta",
                   "imaynatataq yachasaq ususiy peligropi kachkan internetpi", "imatataq ruwasaq churiy celularta mana saqinchu chayqa",
                   "imatataq ruwasaq ususiy mana reqsisqawan rimachkan chayqa", "maypitaq denunciasaq wawayta internetpi acosanku chayqa",
                   "kuraq runa ususiyman tutapi qillqamunqa delitochu", "huk tatata imaynata yanapasaq wawan internetpi sasachakuyniyuq",
                   "vecinayta imaynata yanapasaq churin celularllapi kan"],
}

AY_QUESTIONS: dict[str, list[str]] = {
    "grooming": ["grooming kunasa", "grooming sañax kamsañsa muni", "kuna señalanakat amuyä jilïr jaqix sallqjitu",
                 "kunjams yatä juegon jaqix chiqpach waynäkiti", "kuns lurä jan uñt'at jaqix jikisiñ muni ukaxa",
                 "kuns lurä jilïr jaqix regalonak apayanitu ukaxa", "kawkins denunciä phuchajar acosir jaqi",
                 "jilïr jaqix wawanakar foto mayiñax juchati", "amigajax juegon jaqimp jikisir sarani kunjams yanapt'ä",
                 "primajax jilïr jaqimp parlaski kunjams yanapt'ä"],
    "sextortion": ["sextorsionax kunasa", "pack apayaña kamsañsa muni", "kuna señalanakas fotompi extorsionañatak utji",
                   "kunjams yatä perfil falsox foto mayitu", "kuns lurä fotoj apayasipxi ukaxa", "kuns lurä pack mayipxitu ukaxa",
                   "pack apayasiñax juchati", "kawkins denunciä videoj uñacht'ayapxi ukaxa",
                   "amigajan fotop grupon apayasipxi kunjams yanapt'ä", "amigojar fotopampi amenazapxi kunjams yanapt'ä"],
    "job_offers": ["trata de personas kunasa", "irnaqaw oferta falsa kamsañsa muni", "kunjams yatä agencia falsäki",
                   "kuna señalanakas irnaqaw anuncion utji", "kuns lurä yaqha markan irnaqaw churapxitu ukaxa",
                   "kuns lurä irnaqaw oferta jan walïkaspas ukhama", "tratax juchati", "kawkins denunciä irnaqaw anuncio sospechoso",
                   "kullakajax jan uñt'at jaqimp irnaqir sarani kunjams yanapt'ä", "amigajar kunjams yanapt'ä sallqa oferta katuqañapataki"],
    "privacy": ["privacidad kunasa", "perfil falso kamsañsa muni", "kuna señalanakas cuentaj lunthatapxi uk uñacht'ayi",
                "kunjams yatä whatsappajar khitis mantaski", "kuns lurä whatsapp codigo churta ukaxa", "kuns lurä khitis naya kikpa uñsti ukaxa",
                "yaqha jaqin cuentapar mantañax juchati", "kawkins denunciä datonakaj uñacht'ayapxi ukaxa",
                "amigajar kunjams yanapt'ä contraseñap mayjt'ayañapataki", "taykajan whatsappap hackeapxi kunjams yanapt'ä"],
    "cyberbullying": ["ciberacoso kamsañsa muni", "redes acoso kunasa", "kuna señalanakas ciberacosotak utji",
                      "kunjams yatä yuqajax redes ukan acoso katuqaski", "kuns lurä cuenta falsax larusitu ukaxa",
                      "kuns lurä grupot apsupxitu ukaxa", "memenak lurañax juchati", "kawkins denunciä jisk'achir cuenta",
                      "compañerojar grupon jisk'achapxi kunjams yanapt'ä", "amigajar tiktokan larusipxi kunjams yanapt'ä"],
    "caregivers": ["control parental kunasa", "pantalla pacha kamsañsa muni", "kuna señalanaks uñjañaxa yuqajan internet tuqita",
                   "kunjams yatä phuchajax internetan jan walt'awin utji", "kuns lurä yuqajax celular jan jaytki ukaxa",
                   "kuns lurä phuchajax jan uñt'atampi parlaski ukaxa", "kawkins denunciä wawajar internetan acosapxi ukaxa",
                   "jilïr jaqix phuchajar arumanakan qillqt'añax juchati", "mä awkir kunjams yanapt'ä wawapax internetan jan walt'awinipi",
                   "vecinajar kunjams yanapt'ä yuqapax celularampikiw"],
}


# Second round of questions (issue 13): more ways of asking each kind, several personas.
ES_QUESTIONS_MORE: dict[str, dict[str, list[str]]] = {
    "grooming": {
        "what_is": ["grooming?? q es eso", "de q se trata el grooming", "mi profe hablo de grooming q es",
                    "buenas tardes que es el grooming que mencionan en la tele"],
        "signs": ["como me doy cuenta si alguien me esta engatusando por internet", "cuales son las señales de un acosador",
                  "es normal q un chico mayor me pida q no le cuente a nadie", "como saber si mi hijo habla con un adulto q lo quiere engañar"],
        "what_to_do": ["q debo hacer si un señor me escribe cosas de noche", "que hago con un desconocido q me manda regalos",
                       "un adulto me pide vernos q hago", "si alguien mayor me pide fotos q hago"],
        "is_crime": ["se puede denunciar el grooming", "es ilegal q un adulto le hable asi a una niña",
                     "cuantos años de carcel dan por grooming", "a quien denuncio a un señor q le escribe a mi hija"],
        "help_friend": ["como le ayudo a mi amiga q un viejo le escribe", "q le digo a mi hermanita si un adulto la busca en el juego",
                        "mi amiga se va a ver con uno de internet como la ayudo", "como apoyo a mi compañero q un adulto lo acosa"],
    },
    "sextortion": {
        "what_is": ["q significa q te extorsionen con fotos", "de q se trata la sextorsion", "q es eso de pasar packs",
                    "me explica q es la sextorsion porfa"],
        "signs": ["como se si me van a extorsionar", "q señales hay de q alguien quiere mis nudes",
                  "es normal q me pidan fotos para demostrar q lo quiero", "como saber si el chico q me pide fotos es falso"],
        "what_to_do": ["mande fotos y ahora me las piden de nuevo q hago", "q hago si me pasaron mi video",
                       "que debo hacer si alguien tiene mis fotos", "como hago para q no circule mi foto"],
        "is_crime": ["pasar el pack de alguien es delito", "me pueden denunciar por reenviar un video",
                     "a donde denuncio q subieron mis fotos", "la policia hace algo si publican fotos intimas"],
        "help_friend": ["como apoyo a mi amiga q le piden fotos", "mi amigo esta asustado x unas fotos como le ayudo",
                        "q hago para ayudar a una compañera q pasaron su foto", "como ayudo a mi hija q mando fotos"],
    },
    "job_offers": {
        "what_is": ["q es la trata laboral", "de q se trata la trata de personas", "q significa trafico de personas",
                    "trata q es exactamente"],
        "signs": ["como se si el trabajo q me ofrecen es trampa", "q dice un anuncio falso de trabajo",
                  "como reconozco una oferta de trata", "es sospechoso q me paguen el pasaje"],
        "what_to_do": ["q hago antes de irme a trabajar a otra ciudad", "me ofrecieron trabajo q debo revisar",
                       "como me cuido si viajo por trabajo", "q hago si la agencia me pide mi carnet"],
        "is_crime": ["es delito la trata de personas", "donde se denuncia una oferta de trabajo sospechosa",
                     "a quien aviso si una agencia engaña chicas", "es ilegal q retengan el pasaporte"],
        "help_friend": ["como ayudo a mi prima q se quiere ir a trabajar a chile", "mi amiga acepto un trabajo raro como la ayudo",
                        "q le digo a mi hermana q se va con un desconocido a trabajar", "como protejo a mi hija de ofertas falsas"],
    },
    "privacy": {
        "what_is": ["q es la autenticacion en dos pasos", "q significa cuenta privada", "q es un hacker",
                    "para q sirve poner el perfil privado"],
        "signs": ["como se si me hackearon", "como saber si mi cuenta esta comprometida", "es normal q me llegue un codigo q no pedi",
                  "como se si alguien ve mi ubicacion"],
        "what_to_do": ["q hago si me hackearon el face", "como recupero mi whatsapp", "q hago si alguien tiene mi contraseña",
                       "como pongo privado mi instagram"],
        "is_crime": ["hackear una cuenta es delito", "donde denuncio q me robaron la cuenta",
                     "a quien reporto un perfil q se hace pasar por mi", "es ilegal publicar los datos de alguien"],
        "help_friend": ["como ayudo a mi amiga q le robaron el insta", "como le enseño a mi abuela a cuidar su whatsapp",
                        "mi amigo publica todo su ubicacion como le digo", "como ayudo a mi hijo a poner su cuenta privada"],
    },
    "cyberbullying": {
        "what_is": ["q significa ciberbullying", "de q se trata el ciberacoso", "q es el acoso por whatsapp",
                    "ciberacoso q es exactamente"],
        "signs": ["como se si es bullying o broma", "q señales tiene un chico q sufre acoso en redes",
                  "como saber si se burlan de mi en otro grupo", "es acoso si me sacan siempre del grupo"],
        "what_to_do": ["q hago si me insultan en tiktok", "que debo hacer si hacen memes de mi", "me acosan en el grupo q hago",
                       "como hago para q dejen de burlarse en redes"],
        "is_crime": ["el ciberbullying es delito", "a donde denuncio q me acosan en redes", "se puede denunciar a los q me insultan",
                     "es ilegal hacer cuentas falsas para burlarse"],
        "help_friend": ["como ayudo a mi amiga q se burlan de ella", "mi amigo sufre bullying en redes q hago para ayudar",
                        "como defiendo a alguien q insultan en el grupo", "como apoyo a mi hijo q le hacen bullying"],
    },
    "caregivers": {
        "what_is": ["q es el control de padres en el celular", "q significa acompañamiento digital", "q es la supervision parental",
                    "q es el tiempo de pantalla recomendado"],
        "signs": ["como se si mi hijo esta en peligro en redes", "q señales de alarma debo ver en mi hija",
                  "como me doy cuenta si mi hijo tiene problemas en internet", "q cambios en mi hijo me deben alertar"],
        "what_to_do": ["como hablo con mi hija de los peligros de internet", "q hago si mi hijo no deja el celular",
                       "como pongo limites al celular de mis hijos", "q hago si mi hija habla con desconocidos"],
        "is_crime": ["a donde denuncio si molestan a mi hija por internet", "es delito q un adulto le pida fotos a mi hijo",
                     "q institucion me ayuda si acosan a mi hijo", "donde hago la denuncia si mi hija sufre acoso"],
        "help_friend": ["como ayudo a una mama q su hijo sufre en internet", "como oriento a otros padres del curso",
                        "como apoyo a mi hermana con su hija adolescente", "como ayudo a mi comadre q no sabe de redes"],
    },
}
for _topic, _kinds in ES_QUESTIONS_MORE.items():
    for _kind, _items in _kinds.items():
        ES_QUESTIONS[_topic][_kind] += [item for item in _items if item not in ES_QUESTIONS[_topic][_kind]]

QU_QUESTIONS_MORE: dict[str, list[str]] = {
    "grooming": ["grooming imataq chay", "ima señalkunawan yachasaq runa engañawachkanmanta",
                 "imatataq ruwasaq runa pakallapi tupasun nin chayqa", "groomingta denunciayta atinichu",
                 "hermanayta juegopi kuraq runa maskan imaynata yanapasaq"],
    "sextortion": ["fotowan extorsionay imataq", "imaynatataq yachasaq fotoykunata mañawanku engañaspa",
                   "imatataq ruwasaq videoyta apachinakunku chayqa", "videota apachinakuyqa delitochu",
                   "amigay fotonmanta manchakun imaynata yanapasaq"],
    "job_offers": ["trata laboral imataq", "ima señalkuna kan trampa ofertapi",
                   "imatataq ruwasaq manaraq huk llaqtaman ripuspa", "pasaporteta hap'iyqa delitochu",
                   "primayta imaynata yanapasaq chilepi llamk'ayta munan"],
    "privacy": ["cuenta privada imataq", "imaynatataq yachasaq hackeawarqanku chayta",
                "imatataq ruwasaq contraseñayta yachanku chayqa", "maypitaq denunciasaq cuentayta suwarqanku",
                "hatun mamayta imaynata yanapasaq whatsappninta cuidananpaq"],
    "cyberbullying": ["whatsapppi acoso imataq", "imaynatataq yachasaq bromachu otaq bullyingchu",
                      "imatataq ruwasaq tiktokpi k'amiwanku chayqa", "cuenta falsawan asikuyqa delitochu",
                      "amigayta asikunku imaynatataq yanapasaq"],
    "caregivers": ["supervision parental imataq", "ima señalkunata qhawasaq ususiypi",
                   "imatataq ruwasaq churiy mana reqsisqawan rimachkan chayqa", "ima institucion yanapawanman churiyta acosanku chayqa",
                   "huk mamata imaynata yanapasaq churinwan"],
}
AY_QUESTIONS_MORE: dict[str, list[str]] = {
    "grooming": ["grooming ukax kunasa", "kuna señalanakampis yatä jaqix sallqjitu",
                 "kuns lurä mä jaqix imantat jikisiñani situ ukaxa", "grooming denunciañax utjiti",
                 "kullakajar juegon jilïr jaqix thaqi kunjams yanapt'ä"],
    "sextortion": ["fotompi extorsionaña kunasa", "kunjams yatä fotonak sallqasaw mayipxitu",
                   "kuns lurä videoj apayasipxi ukaxa", "video apayasiñax juchati",
                   "amigajax fotopat axsari kunjams yanapt'ä"],
    "job_offers": ["trata laboral kunasa", "kuna señalanakas sallqa ofertan utji",
                   "kuns lurä janïr yaqha markar sarkasa", "pasaporte katuyañax juchati",
                   "primajar kunjams yanapt'ä chilen irnaqañ muni"],
    "privacy": ["cuenta privada kunasa", "kunjams yatä hackeapxitu",
                "kuns lurä contraseñaj yatipxi ukaxa", "kawkins denunciä cuentaj lunthatapxi",
                "awichajar kunjams yanapt'ä whatsappap uñjañapataki"],
    "cyberbullying": ["whatsappan acoso kunasa", "kunjams yatä bromati jan ukax bullyingti",
                      "kuns lurä tiktokan jisk'achapxitu ukaxa", "cuenta falsampi larusiñax juchati",
                      "amigajar larusipxi kunjams yanapt'ä"],
    "caregivers": ["supervision parental kunasa", "kuna señalanaks uñjä phuchajanxa",
                   "kuns lurä yuqajax jan uñt'atampi parlaski ukaxa", "kuna institucionas yanapitaspa yuqajar acosapxi ukaxa",
                   "mä taykar kunjams yanapt'ä yuqapampi"],
}


def _merge(base: dict[str, list[str]], more: dict[str, list[str]]) -> None:
    for intent, items in more.items():
        have = base.setdefault(intent, [])
        have += [item for item in items if item not in have]


_merge(ES, ES_MORE)
_merge(QU, QU_MORE)
_merge(AY, AY_MORE)
_merge(ES, ES_RANGE)
_merge(ES, {topic: [q for qs in kinds.values() for q in qs] for topic, kinds in ES_QUESTIONS.items()})
_merge(QU, QU_RANGE)
_merge(AY, AY_RANGE)
_merge(QU, QU_QUESTIONS)
_merge(AY, AY_QUESTIONS)
_merge(QU, QU_QUESTIONS_MORE)
_merge(AY, AY_QUESTIONS_MORE)


MIX_QU = ["por favor", "ayuda", "wawqi", "pani", "ahora", "ya"]
MIX_AY = ["por favor", "ayuda", "jilata", "kullaka", "ahora", "ya"]
TYPOS = [("qu", "k"), ("c", "k"), ("s", "z"), ("ll", "y"), ("v", "b"), ("h", ""), ("ie", "e"), ("é", "e")]
# How teens abbreviate on WhatsApp (applied all at once to make one more variant).
ABBREVIATIONS = [(r"\bpor ?que\b", "xq"), (r"\bque\b", "q"), (r"\bestoy\b", "toy"), (r"\bpor favor\b", "porfa"),
                 (r"\btambien\b", "tmb"), (r"\bquiero\b", "kiero"), (r"\bno se\b", "nose"), (r"\bpara\b", "pa"),
                 (r"\bmama\b", "ma"), (r"\bpor\b", "x")]


def abbreviate(text: str) -> str:
    for pattern, short in ABBREVIATIONS:
        text = re.sub(pattern, short, text)
    return text


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
    if abbreviate(plain) != plain:
        candidates.append(abbreviate(plain))
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


# Topic intents are Rasa retrieval intents: `grooming/signs` trains the intent classifier as
# `grooming` and the ResponseSelector as the kind of question, which names the direct answer
# (flows/nlu/intents.yml, answers). `about` is a statement or general interest: the module starts.
TOPICS = ("grooming", "sextortion", "job_offers", "privacy", "cyberbullying", "caregivers")
KINDS = ("what_is", "signs", "what_to_do", "is_crime", "help_friend")
# Seeds without an explicit kind (ES_QUESTIONS) get one from these patterns, tried in order, on the
# lowercased text without accents; the rest are `about`.
KIND_PATTERNS: list[tuple[str, str]] = [
    ("help_friend", r"(\b(como|q|que) (ayudo|apoyo|defiendo|le digo|convenzo|protejo|oriento|ayudar|le ayudo|hago)\b.*"
                    r"\b(amig|compañer|companer|prima|primo|herman|hij|sobrin|alumno|familia|mama|vecina)"
                    r"|\b(amig|compañer|prima|primo|herman|mi hij|otra mama|vecina)\w*\b.*\b(ayud|apoy|defiend|q hago|le digo)"
                    r"|yanapasaq|yanapt'a|yanapayta munani|yanapt'an munta|yanapt'añ munta)"),
    ("is_crime", r"delito|ilegal|\blegal|\bley\b|denunci|reporto|castig|carcel|juchati|juchaxa|institucion"),
    ("what_is", r"\b(q|que|k) es\b|\bq es\b|significa|quiere decir|ima ninantaq|\bimataq\b|kamsañsa|kamsansa|\bkunasa\b"
                r"|me explicas"),
    ("signs", r"señal|senal|\bcomo (se|saber|reconozco|me doy cuenta)\b|es normal|es raro|imaynatataq yachasaq"
              r"|imaynata yachasaq|kunjams yat|\bsenales\b|cambios de conducta"),
    ("what_to_do", r"\b(q|que|k) (hago|hacer|debo)\b|imatataq ruwasaq|kuns lur|\bcomo (borro|borrar|recupero|pongo|denuncio|"
                   r"hago|bloqueo|protejo|oculto|activo|apago|guardo|cuido|hablo|verifico|acompaño|viajo|evito|reporto)\b"
                   r"|imaynatataq|imaynata |kunjams|debo responder"),
]


def kind_of(topic: str, seed: str, explicit: dict[str, dict[str, list[str]]] | None = None) -> str:
    """The kind of question a topic seed asks (one of KINDS), or "about"."""
    for kind, seeds in (explicit or {}).get(topic, {}).items():
        if seed in seeds:
            return kind
    text = strip_accents(seed.lower())
    for kind, pattern in KIND_PATTERNS:
        if re.search(pattern, text):
            return kind
    return "about"


def labelled(seeds: dict[str, list[str]], lang: str) -> dict[str, list[str]]:
    """The seeds with topic intents split into retrieval intents `<topic>/<kind>`."""
    explicit = ES_QUESTIONS if lang == "es" else None
    out: dict[str, list[str]] = {}
    for intent, items in seeds.items():
        for seed in items:
            name = f"{intent}/{kind_of(intent, seed, explicit)}" if intent in TOPICS else intent
            out.setdefault(name, []).append(seed)
    return out


def build(seeds: dict[str, list[str]], lang: str, per_seed: int) -> dict[str, list[tuple[str, str]]]:
    """intent (topics as `<topic>/<kind>`) -> [(seed, example)], deterministic."""
    rng = random.Random(f"seguros-{lang}")
    return {intent: [(seed, v) for seed in items for v in variants(seed, lang, rng, per_seed)]
            for intent, items in labelled(seeds, lang).items()}


# Variants per seed (the seed included): two keep training within about three minutes; the
# character n-grams already cover most misspellings.
ALL = {"es": (ES, 2), "qu": (QU, 2), "ay": (AY, 2)}


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
    (ROOT / "nlu" / "data" / "responses.yml").write_text(responses(), encoding="utf-8")


def responses() -> str:
    """Rasa wants a response per retrieval intent; the bot never shows these texts: the answers are
    content keys in every language (flows/nlu/intents.yml)."""
    names = sorted({name for lang, (seeds, _) in ALL.items() for name in labelled(seeds, lang) if "/" in name})
    lines = ["# Generated by scripts/nlu_seeds.py: one placeholder response per retrieval intent.",
             "# The bot never shows them; flows/nlu/intents.yml maps each to content in every language.",
             'version: "3.1"', "responses:"]
    for name in names:
        lines += [f"  utter_{name}:", f"  - text: {name}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    write()
