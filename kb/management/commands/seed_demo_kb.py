"""The campaign's articles for the demo desk (run by ``seed_demo``)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from itsm.models import TicketTemplate
from kb.models import Article
from kb.services.articles import article_save

LINKING = "CAMPAÑA VINCULACIÓN - VINCULACIÓN/DESVINCULACIÓN"
CERTIFICATE = "CAMPAÑA CERTIFICADO - FIRMA ELECTRÓNICA"
PASSWORD = "CAMPAÑA CONTRASEÑA - ACCESO AL PORTAL"
BOOKS = "CAMPAÑA LIBROS - LEGALIZACIÓN DE LIBROS"
ACCOUNTS = "CAMPAÑA CUENTAS - DEPÓSITO DE CUENTAS"
DEFECTS = "CAMPAÑA CUENTAS - SUBSANACIÓN DE DEFECTOS"
BROWSER = "CAMPAÑA EQUIPO - NAVEGADOR/CONFIGURACIÓN"
ERROR_23 = "CAMPAÑA ERROR 23 - ERROR EN TRÁMITE WEB"
UNCONFIRMED = "CAMPAÑA FLEI - PAGO NO CONFIRMADO"
DEBT = "CAMPAÑA FLEI - PAGOS/DEUDA PENDIENTE"
SENDING = "CAMPAÑA PORTAL - ERROR DE ENVÍO"

# (title, keywords, templates, status, body): what the campaign's agents are
# asked every day, in the words customers use.
ARTICLES: tuple[tuple[str, str, tuple[str, ...], str, str], ...] = (
    (
        "Legalización de libros: cómo presentarlos",
        "legalización, libros, libro de actas, presentación telemática",
        (BOOKS,),
        "published",
        "Los libros se legalizan **por vía telemática** desde el portal, dentro de los "
        "cuatro meses siguientes al cierre del ejercicio.\n\n"
        "1. Entre en el portal con su certificado.\n2. Elija *Legalización de libros*.\n"
        "3. Adjunte los libros en PDF y firme el envío.\n",
    ),
    (
        "Legalización de libros fuera de plazo",
        "legalización, libros, plazo, fuera de plazo, ejercicio",
        (BOOKS,),
        "published",
        "Un libro presentado **fuera de plazo** se legaliza igualmente; el registro hace "
        "constar la fecha de presentación. No hace falta ningún trámite adicional.",
    ),
    (
        "Legalización de libros: formatos de fichero admitidos",
        "legalización, libros, formato, pdf, fichero, tamaño",
        (BOOKS, SENDING),
        "published",
        "Cada libro se adjunta como **PDF** de hasta 20 MB. Un libro mayor se divide en "
        "partes numeradas. Los ficheros comprimidos no se admiten.",
    ),
    (
        "Depósito de cuentas anuales: pasos",
        "depósito, cuentas anuales, cuentas, balance, memoria",
        (ACCOUNTS,),
        "published",
        "El **depósito de cuentas** se presenta en el mes siguiente a su aprobación por la "
        "junta.\n\n- Modelo oficial de cuentas.\n- Certificado del acuerdo de aprobación.\n"
        "- Informe de auditoría si procede.",
    ),
    (
        "Depósito de cuentas rechazado o con defectos",
        "depósito, cuentas, defecto, calificación, rechazo, subsanar",
        (DEFECTS,),
        "published",
        "Si el registro califica el depósito con **defectos**, la nota explica qué "
        "subsanar. Se corrige y se vuelve a presentar desde el mismo trámite.",
    ),
    (
        "Huella digital del depósito de cuentas no coincide",
        "depósito, cuentas, huella, hash, no coincide",
        (ACCOUNTS, SENDING),
        "internal",
        "Cuando la huella del fichero no coincide, el cliente ha modificado el fichero tras "
        "generarla. Pida que la genere de nuevo con el programa oficial.",
    ),
    (
        "Certificado electrónico no reconocido por el portal",
        "certificado, certificado digital, no reconoce, no aparece, tarjeta",
        (CERTIFICATE,),
        "published",
        "Si el portal no muestra el **certificado**:\n\n1. Compruebe que está instalado en "
        "el almacén del sistema.\n2. Cierre todas las ventanas del navegador.\n"
        "3. Vuelva a entrar y elija el certificado en el diálogo.",
    ),
    (
        "Firma electrónica: error al firmar el envío",
        "firma, firmar, firma electrónica, autofirma, envío",
        (CERTIFICATE,),
        "published",
        "El error al **firmar** suele venir de AutoFirma sin instalar o sin actualizar. "
        "Instale la última versión y reinicie el navegador.",
    ),
    (
        "Certificado caducado o revocado",
        "certificado, caducado, revocado, renovar, validez",
        (CERTIFICATE,),
        "published",
        "Un certificado **caducado** o revocado no sirve para firmar. El cliente debe "
        "renovarlo con su autoridad de certificación; el registro no puede hacerlo.",
    ),
    (
        "Certificado de representante de persona jurídica",
        "certificado, representante, persona jurídica, sociedad, empresa",
        (CERTIFICATE,),
        "internal",
        "Para presentar en nombre de una sociedad sirve el **certificado de representante**. "
        "Uno de persona física solo si está vinculado al abonado.",
    ),
    (
        "Vinculación de usuarios paso a paso",
        "vinculación, vincular, usuario, abonado, cuadro de vinculación, lopd",
        (LINKING,),
        "published",
        "Para **vincular** un usuario a un abonado:\n\n1. Rellene el *cuadro de vinculación*.\n"
        "2. Firme el formulario LOPD.\n3. Envíe ambos documentos por correo a la campaña.\n\n"
        "La vinculación se hace en 48 horas laborables.",
    ),
    (
        "Desvinculación de un usuario",
        "desvinculación, desvincular, baja, usuario, abonado",
        (LINKING,),
        "published",
        "La **desvinculación** la pide el titular del abonado por escrito, con el cuadro de "
        "vinculación marcando la baja del usuario.",
    ),
    (
        "Cuadro de vinculación mal cumplimentado",
        "cuadro de vinculación, cumplimentado, incompleto, falta, nif",
        (LINKING,),
        "internal",
        "Si al cuadro le falta el NIF, la firma o el correo del usuario, se devuelve al "
        "cliente pidiendo lo que falta (*Info. adicional solicitada sobre cliente*).",
    ),
    (
        "Formulario LOPD: para qué sirve y cómo se firma",
        "lopd, formulario, protección de datos, firma",
        (LINKING,),
        "published",
        "El formulario **LOPD** autoriza el tratamiento de datos del usuario vinculado. "
        "Lo firma el propio usuario, a mano o con certificado.",
    ),
    (
        "Pagos: el portal no refleja un pago realizado (FLEI)",
        "pago, pagos, flei, deuda, no aparece, pagado",
        (UNCONFIRMED,),
        "published",
        "Cuando el cliente ha pagado y **FLEI** no lo refleja, pida el justificante con la "
        "fecha y el importe. Si pasaron más de 48 horas, escale a L2 con el código FLEI.",
    ),
    (
        "Código FLEI: dónde se encuentra",
        "flei, código flei, código, abonado, factura",
        (DEBT, UNCONFIRMED),
        "published",
        "El **código FLEI** aparece en la cabecera de cada factura y en *Mis datos* del "
        "portal. Se pide siempre al abrir una incidencia de pagos.",
    ),
    (
        "Formas de pago admitidas",
        "pago, tarjeta, transferencia, domiciliación, formas de pago",
        (DEBT,),
        "published",
        "Se admite **tarjeta**, transferencia y domiciliación. La domiciliación tarda un "
        "ciclo de facturación en activarse.",
    ),
    (
        "Navegador compatible y configuración del equipo",
        "navegador, chrome, firefox, edge, configuración, equipo, compatible",
        (BROWSER,),
        "published",
        "El portal funciona con las dos últimas versiones de **Chrome, Firefox y Edge**. "
        "Active las ventanas emergentes para el portal y la ejecución de AutoFirma.",
    ),
    (
        "Borrar la caché del navegador",
        "caché, navegador, cookies, borrar, página en blanco",
        (BROWSER,),
        "published",
        "Si el portal se queda en **blanco** o muestra datos antiguos, borre la caché y las "
        "cookies del navegador y vuelva a entrar.",
    ),
    (
        "ERROR 23: qué comprobar",
        "error 23, error, trámite, trámite web, código de error",
        (ERROR_23,),
        "internal",
        "El **ERROR 23** es siempre una incidencia. Antes de escalar anote:\n\n"
        "- el tipo de error y el trámite web donde ocurre;\n- el CIF/NIF y el código FLEI;\n"
        "- una captura de pantalla.\n\nCon esos datos, escale a L2.",
    ),
    (
        "Contraseña olvidada del portal",
        "contraseña, olvidada, recuperar, acceso, portal",
        (PASSWORD,),
        "published",
        "Desde la pantalla de acceso, *¿Ha olvidado su contraseña?* envía un enlace al "
        "correo del usuario. El enlace caduca en 24 horas.",
    ),
    (
        "Usuario bloqueado tras varios intentos",
        "bloqueado, bloqueo, intentos, acceso, usuario, contraseña",
        (PASSWORD,),
        "published",
        "Tras cinco intentos fallidos el usuario queda **bloqueado** 30 minutos. Pasado "
        "ese tiempo puede entrar o recuperar la contraseña.",
    ),
    (
        "Cambio del correo electrónico del usuario",
        "correo, email, cambio, usuario, notificaciones",
        (PASSWORD,),
        "published",
        "El correo del usuario se cambia en *Mis datos*; las notificaciones llegan al nuevo "
        "correo desde ese momento.",
    ),
)


class Command(BaseCommand):
    help = "Load the demo's knowledge-base articles (development only; idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="Run with DEBUG off.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options.get("force"):
            raise CommandError("DEBUG is off: the demo's articles are for development only.")
        if Article.objects.exists():
            self.stdout.write("Demo articles already loaded; nothing to do.")
            return
        author = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
        if author is None:
            raise CommandError("No administrator to sign the articles: run seed_demo first.")
        wanted = {name for _title, _words, names, _status, _body in ARTICLES for name in names}
        templates = {t.name: t for t in TicketTemplate.objects.filter(name__in=wanted)}
        review = timezone.localdate() + timedelta(days=180)
        with transaction.atomic():
            for title, keywords, names, status, body in ARTICLES:
                article = Article(
                    title=title, keywords=keywords, status=status, body=body, review_on=review
                )
                article_save(
                    article, user=author, templates=[templates[n] for n in names if n in templates]
                )
        self.stdout.write(f"Demo articles loaded: {len(ARTICLES)}.")
