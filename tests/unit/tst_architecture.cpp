// The rules that keep the source tree easy to change, checked on the tree itself:
//  - core/ includes nothing from ui/ or app/, and no Qt Quick or QML header;
//  - ui/ includes nothing from app/;
//  - the folders of core/ form layers: no folder includes one that (directly or through
//    others) includes it back;
//  - no file of core/ is past 700 lines (STYLE.md: "a .cpp past ~700 lines is asking to be split").

#include <QDirIterator>
#include <QFile>
#include <QHash>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <functional>

namespace {

const QString sourceDir = QStringLiteral(SLIPWAY_SOURCE_DIR);

struct Include
{
    QString file; // relative to the source dir
    int line = 0;
    QString header;
};

QStringList sourceFiles(const QString &folder)
{
    QStringList files;
    QDirIterator it(sourceDir + u'/' + folder, {QStringLiteral("*.h"), QStringLiteral("*.cpp")}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        files.append(it.next().mid(sourceDir.size() + 1));
    files.sort();
    return files;
}

QList<Include> includesOf(const QString &file)
{
    static const QRegularExpression include(QStringLiteral("^\\s*#\\s*include\\s*[\"<]([^\">]+)[\">]"));
    QList<Include> includes;
    QFile in(sourceDir + u'/' + file);
    if (!in.open(QIODevice::ReadOnly))
        return includes;
    int number = 0;
    while (!in.atEnd()) {
        const QString line = QString::fromUtf8(in.readLine());
        ++number;
        if (const auto match = include.match(line); match.hasMatch())
            includes.append(Include{file, number, match.captured(1)});
    }
    return includes;
}

// "engine" for core/engine/x.cpp.
QString coreFolder(const QString &file)
{
    return file.section(u'/', 1, 1);
}

} // namespace

class TestArchitecture final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(sourceDir + QStringLiteral("/core")), qPrintable(sourceDir));
    }

    void coreIncludesNoFrontEnd()
    {
        static const QRegularExpression quick(QStringLiteral("^(QtQuick|QtQml|QQuick|QQml|QJS)|^(ui|app)/"));
        QStringList offences;
        for (const QString &file : sourceFiles(QStringLiteral("core")))
            for (const Include &include : includesOf(file))
                if (quick.match(include.header).hasMatch())
                    offences.append(
                        QStringLiteral("%1:%2 includes %3").arg(file).arg(include.line).arg(include.header));
        QVERIFY2(offences.isEmpty(), qPrintable(offences.join(u'\n')));
        // The check sees includes at all: core has plenty of Qt Core ones.
        QVERIFY(!includesOf(QStringLiteral("core/engine/engineclient.h")).isEmpty());
    }

    void uiIncludesNoApp()
    {
        QStringList offences;
        for (const QString &file : sourceFiles(QStringLiteral("ui")))
            for (const Include &include : includesOf(file))
                if (include.header.startsWith(QStringLiteral("app/")) ||
                    include.header.startsWith(QStringLiteral("cli/")) ||
                    include.header.startsWith(QStringLiteral("gui/")))
                    offences.append(
                        QStringLiteral("%1:%2 includes %3").arg(file).arg(include.line).arg(include.header));
        QVERIFY2(offences.isEmpty(), qPrintable(offences.join(u'\n')));
    }

    void coreFoldersFormLayers()
    {
        // folder -> the folders it includes, with one include as the example for messages
        QHash<QString, QHash<QString, Include>> graph;
        QSet<QString> folders;
        for (const QString &file : sourceFiles(QStringLiteral("core"))) {
            const QString from = coreFolder(file);
            folders.insert(from);
            for (const Include &include : includesOf(file)) {
                if (!include.header.contains(u'/'))
                    continue; // a header of its own folder, or a library's
                const QString to = include.header.section(u'/', 0, 0);
                if (to == from || !QFile::exists(sourceDir + QStringLiteral("/core/") + to))
                    continue;
                graph[from].insert(to, include);
            }
        }
        QVERIFY2(folders.size() >= 10, "the check found too few folders in core/");

        // Depth-first search for a cycle; the first one found is reported with an include per edge.
        QHash<QString, int> state; // 0 unseen, 1 on the stack, 2 done
        QStringList stack;
        QStringList cycle;
        std::function<bool(const QString &)> visit = [&](const QString &folder) {
            state[folder] = 1;
            stack.append(folder);
            QStringList next = graph.value(folder).keys();
            next.sort();
            for (const QString &to : std::as_const(next)) {
                if (state.value(to) == 1) {
                    cycle = stack.mid(stack.indexOf(to));
                    cycle.append(to);
                    return true;
                }
                if (state.value(to) == 0 && visit(to))
                    return true;
            }
            stack.removeLast();
            state[folder] = 2;
            return false;
        };
        QStringList sorted = folders.values();
        sorted.sort();
        for (const QString &folder : std::as_const(sorted))
            if (state.value(folder) == 0 && visit(folder))
                break;
        QStringList why;
        for (qsizetype i = 0; i + 1 < cycle.size(); ++i) {
            const Include include = graph.value(cycle.at(i)).value(cycle.at(i + 1));
            why.append(
                QStringLiteral("%1:%2 includes %3").arg(include.file).arg(include.line).arg(include.header));
        }
        QVERIFY2(cycle.isEmpty(), qPrintable(QStringLiteral("core/ folders include each other: %1\n%2")
                                                 .arg(cycle.join(QStringLiteral(" -> ")), why.join(u'\n'))));
    }

    void coreFilesStaySmall()
    {
        QStringList large;
        for (const QString &file : sourceFiles(QStringLiteral("core"))) {
            QFile in(sourceDir + u'/' + file);
            QVERIFY(in.open(QIODevice::ReadOnly));
            const qsizetype lines = in.readAll().count('\n');
            if (lines > 700)
                large.append(QStringLiteral("%1: %2 lines").arg(file).arg(lines));
        }
        QVERIFY2(large.isEmpty(), qPrintable(large.join(u'\n')));
    }
};

QTEST_GUILESS_MAIN(TestArchitecture)
#include "tst_architecture.moc"
