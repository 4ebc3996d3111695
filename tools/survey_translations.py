"""Source of the survey's ru and kk catalogs: ``python tools/survey_translations.py`` rewrites
src/diaspora_observatory/survey/locale/<lang>/LC_MESSAGES/messages.po (a developer's tool, not installed).

Kept as one table so that a missing translation is visible at a glance; tests check that every
``_()`` text of the survey templates has an entry in both languages.
"""

from __future__ import annotations

from pathlib import Path

from diaspora_observatory.languages import TRANSLATED

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
    # The range question (survey/ranges.py): its bounds on the form and the problems of an answer.
    "enter a number from {start} to {end}": ("введите число от {start} до {end}",
                                             "{start} мен {end} аралығындағы сан енгізіңіз"),
    "enter a number from {start} to {end} in steps of {step}": (
        "введите число от {start} до {end} с шагом {step}",
        "{start} мен {end} аралығындағы, {step} қадаммен сан енгізіңіз"),
    "a number from {start} to {end} in steps of {step}": ("число от {start} до {end} с шагом {step}",
                                                           "{start} мен {end} аралығындағы, {step} қадаммен сан"),
    "Too many attempts": ("Слишком много попыток", "Әрекеттер тым көп"),
    # Published results: snapshots, merged groups (disclosure control).
    "No results are published yet: they appear when the survey is closed, if it has at least %(threshold)s answers.": (
        "Результаты пока не опубликованы: они появятся после закрытия опроса, если в нём будет не менее %(threshold)s ответов.",  # noqa: E501
        "Нәтижелер әлі жарияланған жоқ: сауалнама жабылғанда, кемінде %(threshold)s жауап болса, пайда болады."),
    "No results are published yet: they appear once at least %(threshold)s answers have arrived.": (
        "Результаты пока не опубликованы: они появятся, когда поступит не менее %(threshold)s ответов.",
        "Нәтижелер әлі жарияланған жоқ: кемінде %(threshold)s жауап келгенде пайда болады."),
    "Snapshot %(number)s, taken on %(day)s: %(count)s answers.": (
        "Срез %(number)s от %(day)s: %(count)s ответов.",
        "%(day)s күнгі %(number)s-кесінді: %(count)s жауап."),
    "Results are published when the survey is closed.": (
        "Результаты публикуются после закрытия опроса.",
        "Нәтижелер сауалнама жабылғаннан кейін жарияланады."),
    "A new snapshot is taken only when at least %(threshold)s new answers have arrived, so the results never change with a single answer.": (  # noqa: E501
        "Новый срез делается, только когда поступит не менее %(threshold)s новых ответов, поэтому результаты никогда не меняются из-за одного ответа.",  # noqa: E501
        "Жаңа кесінді кемінде %(threshold)s жаңа жауап келгенде ғана жасалады, сондықтан нәтижелер бір жауаптан ешқашан өзгермейді."),  # noqa: E501
    "No group of fewer than %(threshold)s respondents is shown. Where a category has fewer, it is merged with its neighbours on a scale (or pooled with other small categories) until every group shown holds at least %(threshold)s; the merged groups are named below. Means are shown only for items whose every category holds at least %(threshold)s.": (  # noqa: E501
        "Группы меньше чем из %(threshold)s респондентов не показываются. Если в варианте ответа их меньше, он объединяется с соседними вариантами шкалы (или с другими малыми вариантами), пока в каждой показанной группе не будет не менее %(threshold)s; объединённые группы названы ниже. Средние показываются только для вопросов, где в каждом варианте не менее %(threshold)s ответов.",  # noqa: E501
        "%(threshold)s респонденттен аз топтар көрсетілмейді. Жауап нұсқасында олар аз болса, ол шкаладағы көрші нұсқалармен (немесе басқа шағын нұсқалармен) әр көрсетілген топта кемінде %(threshold)s болғанша біріктіріледі; біріктірілген топтар төменде аталған. Орташа мәндер әр нұсқасында кемінде %(threshold)s жауап бар сұрақтар үшін ғана көрсетіледі."),  # noqa: E501
    "hidden: a category has fewer than %(threshold)s answers": (
        "скрыто: в одном из вариантов меньше %(threshold)s ответов",
        "жасырылған: бір нұсқада %(threshold)s жауаптан аз"),
    "hidden: shown for three or more items whose every category holds at least %(threshold)s answers": (
        "скрыто: показывается для трёх и более вопросов, где в каждом варианте не менее %(threshold)s ответов",
        "жасырылған: әр нұсқасында кемінде %(threshold)s жауап бар үш не одан көп сұрақ үшін көрсетіледі"),
    "Merged so that every group holds at least %(threshold)s answers:": (
        "Объединено, чтобы в каждой группе было не менее %(threshold)s ответов:",
        "Әр топта кемінде %(threshold)s жауап болуы үшін біріктірілді:"),
    "Hidden: fewer than %(threshold)s answers.": (
        "Скрыто: меньше %(threshold)s ответов.",
        "Жасырылған: %(threshold)s жауаптан аз."),
    "merged": ("объединено", "біріктірілген"),
    "Rows and columns are the groups shown above; cells under %(threshold)s are hidden with others, so that no hidden cell follows from the totals.": (  # noqa: E501
        "Строки и столбцы — группы, показанные выше; ячейки меньше %(threshold)s скрыты вместе с другими, чтобы ни одну скрытую ячейку нельзя было вывести из итогов.",  # noqa: E501
        "Жолдар мен бағандар — жоғарыда көрсетілген топтар; %(threshold)s-ден аз ұяшықтар басқалармен бірге жасырылған, сондықтан ешбір жасырын ұяшықты жиындардан шығаруға болмайды."),  # noqa: E501
    "This cross-tabulation cannot be shown: one of the questions has fewer than two groups of at least %(threshold)s answers.": (  # noqa: E501
        "Эту таблицу сопряжённости нельзя показать: в одном из вопросов меньше двух групп по %(threshold)s ответов и более.",  # noqa: E501
        "Бұл айқас кестені көрсету мүмкін емес: сұрақтардың бірінде кемінде %(threshold)s жауабы бар екі топтан аз."),
    "No answer": ("Нет ответа", "Жауап жоқ"),
    "not drawn: too few answers for two groups": ("не показано: слишком мало ответов для двух групп",
                                                  "көрсетілмеген: екі топқа жауаптар тым аз"),
    "Pale outlined segments are merged groups, named in the tables below.": (
        "Бледные сегменты с обводкой — объединённые группы; они названы в таблицах ниже.",
        "Жиегі бар бозғылт бөліктер — біріктірілген топтар; олар төмендегі кестелерде аталған."),
    "the number is too large": ("слишком большое число", "сан тым үлкен"),
    "the answer holds a character that is not text; type it again": (
        "в ответе есть символ, который не является текстом; введите ответ заново",
        "жауапта мәтін емес таңба бар; жауапты қайта енгізіңіз"),
    # Sharing (issue 17) and the respondent's own layout (the layout's two texts match the app's catalog).
    "QR code as an image to print (PNG)": ("QR-код картинкой для печати (PNG)",
                                           "Басып шығаруға арналған QR-код суреті (PNG)"),
    "This link works only on this computer. To reach phones in the room, start the server with: "
    "diaspora serve --share": (
        "Эта ссылка работает только на этом компьютере. Чтобы её открыли телефоны в зале, запустите сервер так: "
        "diaspora serve --share",
        "Бұл сілтеме тек осы компьютерде жұмыс істейді. Залдағы телефондар ашуы үшін серверді былай іске қосыңыз: "
        "diaspora serve --share"),
    "Skip to content": ("Перейти к содержанию", "Мазмұнға өту"),
    "Language": ("Язык", "Тіл"),
    "The questions are in {language}; this page's buttons and notices are in English, because the observatory "
    "has no translation into {language} yet.": (
        "Вопросы — на языке {language}; кнопки и пояснения этой страницы — на английском, потому что в обсерватории "
        "пока нет перевода на {language}.",
        "Сұрақтар {language} тілінде; бұл беттің батырмалары мен ескертулері ағылшын тілінде, себебі обсерваторияда "
        "{language} тіліне аударма әлі жоқ."),
    # The results table's column; the survey list's link to the share page says "Share the survey".
    "Share of respondents": ("Доля", "Үлес"),
    "CSV for Excel": ("CSV для Excel", "Excel үшін CSV"),
    # A cross-tabulation the joint audit withholds (analysis/crosstab_audit.py).
    "Its cells are withheld: with the other cross-tabulations of these questions and the totals, someone who "
    "knows how cells are hidden could work out a hidden one. Only the totals are shown.": (
        "Ячейки таблицы не публикуются: вместе с другими таблицами сопряжённости по этим вопросам и итогами тот, "
        "кто знает правило скрытия ячеек, мог бы вычислить одну из скрытых. Показаны только итоги.",
        "Кестенің ұяшықтары жарияланбайды: осы сұрақтар бойынша басқа айқас кестелер мен қорытындылар арқылы "
        "ұяшықтарды жасыру ережесін білетін адам жасырын ұяшықтың бірін есептеп шығара алар еді. Тек "
        "қорытындылар көрсетілген."),
    # the admin page's pages of raw answers (issue 15)
    "Showing answers %(first)s–%(last)s of %(total)s, in an order that says nothing of when each arrived.": (
        "Показаны ответы %(first)s–%(last)s из %(total)s, в порядке, не связанном со временем их получения.",
        "%(total)s жауаптың %(first)s–%(last)s жауаптары көрсетілген; реті олардың қашан келгенін білдірмейді."),
    "No answers yet.": (
        "Ответов пока нет.",
        "Әзірге жауап жоқ."),
    "Pages of the raw answers": (
        "Страницы исходных ответов",
        "Бастапқы жауаптардың беттері"),
    "Previous page": (
        "Предыдущая страница",
        "Алдыңғы бет"),
    "Page %(page)s of %(pages)s": (
        "Страница %(page)s из %(pages)s",
        "%(pages)s беттің %(page)s-беті"),
    "Go to page": (
        "Перейти на страницу",
        "Бетке өту"),
    "Next page": (
        "Следующая страница",
        "Келесі бет"),
    "There is no such page of the raw answers.": (
        "Такой страницы исходных ответов нет.",
        "Бастапқы жауаптардың мұндай беті жоқ."),
    # The results page while its worker computes a new snapshot's first view (survey/web.py, not_ready).
    "Results being prepared": ("Результаты готовятся", "Нәтижелер дайындалуда"),
    "The process preparing the results stopped before they were ready; a new one has started. Reload in a few "
    "seconds.": (
        "Процесс, готовивший результаты, остановился до их готовности; запущен новый. Обновите страницу через "
        "несколько секунд.",
        "Нәтижелерді дайындап жатқан процесс олар дайын болғанға дейін тоқтады; жаңасы іске қосылды. Бірнеше "
        "секундтан кейін бетті жаңартыңыз."),
    "The server is preparing other results; reload this page in a few seconds.": (
        "Сервер готовит другие результаты; обновите эту страницу через несколько секунд.",
        "Сервер басқа нәтижелерді дайындап жатыр; бірнеше секундтан кейін бұл бетті жаңартыңыз."),
    "The results of a new snapshot are still being prepared; reload this page in a few seconds.": (
        "Результаты нового среза ещё готовятся; обновите эту страницу через несколько секунд.",
        "Жаңа кесіндінің нәтижелері әлі дайындалуда; бірнеше секундтан кейін бұл бетті жаңартыңыз."),
}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


HERE = Path(__file__).resolve().parents[1] / "src" / "diaspora_observatory" / "survey" / "locale"


def write_catalogs(folder: Path = HERE) -> None:
    """Write ``ru`` and ``kk`` ``messages.po`` files from :data:`TRANSLATIONS`."""
    for index, language in enumerate(TRANSLATED):  # TRANSLATIONS hold one text per language, in this order
        lines = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"',
                 f'"Language: {language}\\n"', ""]
        for message, translated in TRANSLATIONS.items():
            lines += [f"msgid {_quote(message)}", f"msgstr {_quote(translated[index])}", ""]
        target = folder / language / "LC_MESSAGES" / "messages.po"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    write_catalogs()
