#pragma once

#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

// The pages of the window and which one is shown. QML reads it; the app sets the start page
// (from settings, or --page on the command line).
// Not final: QML_ELEMENT derives from it.
class Navigation : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Navigation is created in main()")
    Q_PROPERTY(QStringList pages READ pages CONSTANT)
    Q_PROPERTY(QStringList titles READ titles CONSTANT)
    Q_PROPERTY(int currentIndex READ currentIndex WRITE setCurrentIndex NOTIFY currentIndexChanged)
    Q_PROPERTY(QString currentPage READ currentPage NOTIFY currentIndexChanged)

public:
    explicit Navigation(QObject *parent = nullptr);

    // The pages by name, as --page, the settings and objectNames know them.
    QStringList pages() const;
    // The same pages as the rail shows them, in the user's language.
    QStringList titles() const;
    int currentIndex() const { return m_currentIndex; }
    void setCurrentIndex(int index);
    QString currentPage() const;

    // Selects a page by its name, case-insensitively; false if there is no such page.
    bool showPage(const QString &name);

Q_SIGNALS:
    void currentIndexChanged();

private:
    int m_currentIndex = 0;
};
