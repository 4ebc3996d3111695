"""Source of the survey's ru and kk catalogs: run this file to rewrite <lang>/LC_MESSAGES/messages.po.

Kept as one table so that a missing translation is visible at a glance; tests check that every
``_()`` text of the survey templates has an entry in both languages.
"""

from __future__ import annotations

from pathlib import Path

TRANSLATIONS: dict[str, tuple[str, str]] = {
    # msgid: (Russian, Kazakh)
    # The built-in questionnaire's title (XLSForm has no translated form_title; pages pass titles through _()).
    "Kazakhs abroad: identity, language and ties with Kazakhstan": (
        "Казахи за рубежом: идентичность, язык и связи с Казахстаном",
        "Шетелдегі қазақтар: бірегейлік, тіл және Қазақстанмен байланыс"),
    "Before you answer": ("Прежде чем ответить", "Жауап бермес бұрын"),
    "Taking part is voluntary. You may skip any question that is not marked as required, and stop at any time.": (
        "Участие добровольное. Вы можете пропустить любой вопрос, не отмеченный как обязательный, и остановиться в любой момент.",  # noqa: E501
        "Қатысу ерікті. Міндетті деп белгіленбеген кез келген сұрақты өткізіп жіберуге және кез келген уақытта тоқтауға болады."),  # noqa: E501
    "What is kept:": ("Что сохраняется:", "Не сақталады:"),
    "your answers and the date they arrived.": ("ваши ответы и дата их получения.", "жауаптарыңыз және олардың келген күні."),  # noqa: E501
    "What is not kept:": ("Что не сохраняется:", "Не сақталмайды:"),
    "your name, your IP address, your device or browser, cookies, or the time of day.": (
        "ваше имя, IP-адрес, устройство или браузер, файлы cookie и время суток.",
        "атыңыз, IP-мекенжайыңыз, құрылғыңыз немесе браузеріңіз, cookie файлдары және тәулік уақыты."),
    "Results are published only for groups of at least 10 people.": (
        "Результаты публикуются только для групп не менее чем из 10 человек.",
        "Нәтижелер кемінде 10 адамнан тұратын топтар үшін ғана жарияланады."),
    "By sending the form you agree that your answers are used for this study.": (
        "Отправляя форму, вы соглашаетесь с тем, что ваши ответы будут использованы в этом исследовании.",
        "Пішінді жіберу арқылы жауаптарыңыздың осы зерттеуде пайдаланылуына келісесіз."),
    "Survey administration": ("Управление опросом", "Сауалнаманы басқару"),
    "status": ("статус", "күйі"),
    "responses": ("ответов", "жауаптар"),
    "Export raw answers (CSV)": ("Выгрузить исходные ответы (CSV)", "Бастапқы жауаптарды жүктеу (CSV)"),
    "Close the survey": ("Закрыть опрос", "Сауалнаманы жабу"),
    "Reopen the survey": ("Снова открыть опрос", "Сауалнаманы қайта ашу"),
    "Type the short name to delete the survey and all its answers": (
        "Введите краткое имя, чтобы удалить опрос и все его ответы",
        "Сауалнаманы және оның барлық жауаптарын жою үшін қысқа атауын енгізіңіз"),
    "Delete": ("Удалить", "Жою"),
    "Raw answers": ("Исходные ответы", "Бастапқы жауаптар"),
    "That token is not valid.": ("Этот токен недействителен.", "Бұл токен жарамсыз."),
    "Admin token": ("Токен администратора", "Әкімші токені"),
    "Open": ("Открыть", "Ашу"),
    "Survey deleted": ("Опрос удалён", "Сауалнама жойылды"),
    "Survey": ("Опрос", "Сауалнама"),
    "Please correct the answers marked below.": ("Исправьте, пожалуйста, отмеченные ниже ответы.",
                                                 "Төменде белгіленген жауаптарды түзетіңіз."),
    "required": ("обязательно", "міндетті"),
    "Send my answers": ("Отправить ответы", "Жауаптарымды жіберу"),
    "Questionnaires collected anonymously by this observatory. Answers stay on this server.": (
        "Анкеты, которые эта обсерватория собирает анонимно. Ответы остаются на этом сервере.",
        "Осы обсерватория жасырын жинайтын сауалнамалар. Жауаптар осы серверде қалады."),
    "Results": ("Результаты", "Нәтижелер"),
    "Share": ("Поделиться", "Бөлісу"),
    "No survey yet.": ("Опросов пока нет.", "Әзірге сауалнама жоқ."),
    "Survey results": ("Результаты опроса", "Сауалнама нәтижелері"),
    "Responses": ("Ответов", "Жауаптар саны"),
    "Counts under 10 respondents are hidden, with other cells where needed so that totals do not reveal them.": (
        "Числа меньше 10 респондентов скрыты, а при необходимости и другие ячейки, чтобы их нельзя было вычислить по итогам.",  # noqa: E501
        "10 респонденттен аз сандар жасырылған, қажет болса басқа ұяшықтар да жасырылады, сонда оларды қорытындыдан есептеу мүмкін емес."),  # noqa: E501
    "Source": ("Источник", "Дереккөз"),
    "answers collected with this survey": ("ответы, собранные этим опросом", "осы сауалнамамен жиналған жауаптар"),
    "Scale items": ("Шкальные вопросы", "Шкалалық сұрақтар"),
    "Item": ("Вопрос", "Сұрақ"),
    "Mean": ("Среднее", "Орташа мән"),
    "95% interval": ("95% интервал", "95% аралық"),
    "hidden: fewer than 10 answers": ("скрыто: меньше 10 ответов", "жасырылған: 10 жауаптан аз"),
    "Cronbach's alpha": ("Альфа Кронбаха", "Кронбах альфасы"),
    "Answers by question": ("Ответы по вопросам", "Сұрақтар бойынша жауаптар"),
    "Answer": ("Ответ", "Жауап"),
    "Count": ("Число", "Саны"),
    "hidden": ("скрыто", "жасырылған"),
    "Cross-tabulation": ("Таблица сопряжённости", "Қиылыс кестесі"),
    "Rows": ("Строки", "Жолдар"),
    "Columns": ("Столбцы", "Бағандар"),
    "Show": ("Показать", "Көрсету"),
    "The study's published figures": ("Опубликованные данные исследования", "Зерттеудің жарияланған деректері"),
    "Statistic": ("Показатель", "Көрсеткіш"),
    "Value": ("Значение", "Мәні"),
    "Diverging stacked bars of the scale items": ("Расходящиеся столбцы шкальных вопросов",
                                                  "Шкалалық сұрақтардың екі жаққа бағытталған бағандары"),
    "Share the survey": ("Поделиться опросом", "Сауалнамамен бөлісу"),
    "Link to paste into a messenger": ("Ссылка для мессенджера", "Мессенджерге қоюға арналған сілтеме"),
    "Link": ("Ссылка", "Сілтеме"),
    "Please answer a short anonymous survey:": ("Пожалуйста, ответьте на короткий анонимный опрос:",
                                                "Қысқа жасырын сауалнамаға жауап беріңізші:"),
    "QR code": ("QR-код", "QR-код"),
    "QR code of the link": ("QR-код ссылки", "Сілтеменің QR-коды"),
    "Thank you": ("Спасибо", "Рақмет"),
    "Your answers have been saved. Nothing that identifies you was kept.": (
        "Ваши ответы сохранены. Ничего, что позволяет вас узнать, не сохранено.",
        "Жауаптарыңыз сақталды. Сізді анықтайтын ештеңе сақталмады."),
    "See the results so far": ("Посмотреть текущие результаты", "Қазіргі нәтижелерді көру"),
    "Survey not found": ("Опрос не найден", "Сауалнама табылмады"),
    "There is no survey at this address.": ("По этому адресу нет опроса.", "Бұл мекенжайда сауалнама жоқ."),
    "Survey closed": ("Опрос закрыт", "Сауалнама жабық"),
    "This survey no longer accepts answers.": ("Этот опрос больше не принимает ответы.",
                                               "Бұл сауалнама енді жауап қабылдамайды."),
    "Refused": ("Отклонено", "Қабылданбады"),
    "Answers can only be sent from this site's own form.": ("Ответы можно отправлять только из формы этого сайта.",
                                                            "Жауаптарды тек осы сайттың пішінінен жіберуге болады."),
    "Too many answers": ("Слишком много ответов", "Жауаптар тым көп"),
    "Please wait a minute and try again.": ("Подождите минуту и попробуйте снова.",
                                            "Бір минут күтіп, қайталап көріңіз."),
    "The form must be sent as a normal web form.": ("Форму нужно отправлять как обычную веб-форму.",
                                                    "Пішінді кәдімгі веб-пішін ретінде жіберу керек."),
    "Too long": ("Слишком длинно", "Тым ұзын"),
    "The answers are longer than this survey accepts.": ("Ответы длиннее, чем принимает этот опрос.",
                                                         "Жауаптар осы сауалнама қабылдайтыннан ұзын."),
    "The answers could not be read.": ("Не удалось прочитать ответы.", "Жауаптарды оқу мүмкін болмады."),
    "Already received": ("Уже получено", "Бұрын алынған"),
    "These answers were already sent once; reload the form to answer again.": (
        "Эти ответы уже были отправлены; обновите форму, чтобы ответить снова.",
        "Бұл жауаптар бұрын жіберілген; қайта жауап беру үшін пішінді жаңартыңыз."),
    "Not found": ("Не найдено", "Табылмады"),
    "There is no such admin action.": ("Такого действия администратора нет.", "Мұндай әкімші әрекеті жоқ."),
    "Not deleted": ("Не удалено", "Жойылмады"),
    "Type the survey's short name to confirm deletion.": ("Введите краткое имя опроса, чтобы подтвердить удаление.",
                                                          "Жоюды растау үшін сауалнаманың қысқа атауын енгізіңіз."),
    "'{value}' is not one of the choices": ("«{value}» не входит в варианты ответа",
                                            "«{value}» жауап нұсқаларының қатарында жоқ"),
    "only one answer is allowed": ("допускается только один ответ", "тек бір жауапқа рұқсат етіледі"),
    "enter a whole number": ("введите целое число", "бүтін сан енгізіңіз"),
    "enter a number": ("введите число", "сан енгізіңіз"),
    "the text is longer than {limit} characters": ("текст длиннее {limit} символов", "мәтін {limit} таңбадан ұзын"),
    "this field is not part of the form": ("этого поля нет в форме", "бұл өріс пішінде жоқ"),
    "this question needs an answer": ("на этот вопрос нужно ответить", "бұл сұраққа жауап беру керек"),
    "this answer is not allowed here": ("этот ответ здесь не подходит", "бұл жауап мұнда жарамайды"),
    "open": ("открыт", "ашық"),
    "closed": ("закрыт", "жабық"),
    "Total": ("Всего", "Барлығы"),
    "Step": ("Шаг", "Қадам"),
    "Next": ("Далее", "Келесі"),
    "Back": ("Назад", "Артқа"),
    "What is kept and what is not": ("Что сохраняется и что нет", "Не сақталады және не сақталмайды"),
    "the number is too large": ("слишком большое число", "сан тым үлкен"),
    "the answer holds a character that is not text; type it again": (
        "в ответе есть символ, который не является текстом; введите ответ заново",
        "жауапта мәтін емес таңба бар; жауапты қайта енгізіңіз"),
}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


HERE = Path(__file__).resolve().parent


def write_catalogs(folder: Path = HERE) -> None:
    """Write ``ru`` and ``kk`` ``messages.po`` files from :data:`TRANSLATIONS`."""
    for index, language in enumerate(("ru", "kk")):
        lines = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"',
                 f'"Language: {language}\\n"', ""]
        for message, translated in TRANSLATIONS.items():
            lines += [f"msgid {_quote(message)}", f"msgstr {_quote(translated[index])}", ""]
        target = folder / language / "LC_MESSAGES" / "messages.po"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    write_catalogs()
