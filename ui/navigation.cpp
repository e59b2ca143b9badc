#include "navigation.h"

Navigation::Navigation(QObject *parent)
    : QObject(parent)
{}

QStringList Navigation::pages() const
{
    return {QStringLiteral("Deploy"),  QStringLiteral("Apps"),     QStringLiteral("History"),
            QStringLiteral("Targets"), QStringLiteral("Projects"), QStringLiteral("Settings")};
}

QStringList Navigation::titles() const
{
    return {tr("Deploy"), tr("Apps"), tr("History"), tr("Targets"), tr("Projects"), tr("Settings")};
}

void Navigation::setCurrentIndex(int index)
{
    if (index < 0 || index >= pages().size() || index == m_currentIndex)
        return;
    m_currentIndex = index;
    Q_EMIT currentIndexChanged();
}

QString Navigation::currentPage() const
{
    return pages().at(m_currentIndex);
}

bool Navigation::showPage(const QString &name)
{
    const QStringList names = pages();
    for (int index = 0; index < names.size(); ++index) {
        if (names.at(index).compare(name, Qt::CaseInsensitive) == 0) {
            setCurrentIndex(index);
            return true;
        }
    }
    return false;
}
