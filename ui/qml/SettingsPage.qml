pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Slipway.Ui

// How builds compress and how many threads they use; where the cache is, how big, and Clear.
Page {
    id: page

    required property AppSettings settings

    objectName: "settingsPage"
    padding: 24

    onVisibleChanged: if (visible) page.settings.refreshCacheSize()

    Dialog {
        id: confirmClear

        objectName: "confirmClear"
        anchors.centerIn: parent
        modal: true
        title: qsTr("Clear the cache?")
        standardButtons: Dialog.Ok | Dialog.Cancel
        Label {
            text: qsTr("Git mirrors, built layers and blobs in %1 are removed.\nThe next build starts cold.")
                  .arg(page.settings.cacheLocation)
        }
        onAccepted: page.settings.clearCache()
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 24

        PageHeader {
            Layout.fillWidth: true
            title: qsTr("Settings")
            subtitle: qsTr("Compression, parallelism and the cache; builds started from the window use them.")
        }

        GridLayout {
            Layout.fillWidth: true
            Layout.maximumWidth: 900
            columns: 3
            columnSpacing: 12
            rowSpacing: 10

            Label { text: qsTr("Compression") }
            ComboBox {
                objectName: "compressionBox"
                Layout.preferredWidth: 160
                model: ["gzip", "zstd", "none"]
                currentIndex: Math.max(0, model.indexOf(page.settings.compression))
                onActivated: index => page.settings.compression = model[index]
            }
            Label {
                Layout.maximumWidth: 320
                text: qsTr("zstd is faster and smaller; some older engines only take gzip.")
                opacity: 0.6
                wrapMode: Text.Wrap
            }

            Label { text: qsTr("Level") }
            SpinBox {
                objectName: "levelBox"
                Layout.preferredWidth: 160
                enabled: page.settings.compression !== "none"
                from: page.settings.minimumLevel
                to: page.settings.maximumLevel
                value: page.settings.level
                onValueModified: page.settings.level = value
            }
            Label {
                text: qsTr("%1 to %2").arg(page.settings.minimumLevel).arg(page.settings.maximumLevel)
                opacity: 0.6
            }

            Label { text: qsTr("Parallel jobs") }
            SpinBox {
                objectName: "jobsBox"
                Layout.preferredWidth: 160
                from: 0
                to: 256
                value: page.settings.jobs
                textFromValue: (value, locale) => value === 0 ? qsTr("auto") : Number(value).toLocaleString(locale, "f", 0)
                valueFromText: (text, locale) => text === qsTr("auto") ? 0 : Number.fromLocaleString(locale, text)
                onValueModified: page.settings.jobs = value
            }
            Label {
                text: qsTr("auto: one per core")
                opacity: 0.6
            }

            Label { text: qsTr("Cache") }
            TextField {
                objectName: "cacheField"
                Layout.fillWidth: true
                Layout.minimumWidth: 420
                text: page.settings.cacheLocation
                placeholderText: page.settings.defaultCacheLocation
                onEditingFinished: page.settings.cacheLocation = text
            }
            Button {
                text: qsTr("Default")
                enabled: page.settings.cacheLocation !== page.settings.defaultCacheLocation
                onClicked: page.settings.cacheLocation = ""
            }

            Label { text: qsTr("Cache size") }
            Label {
                objectName: "cacheSizeLabel"
                text: page.settings.cacheBusy && page.settings.cacheSize < 0 ? qsTr("measuring…")
                                                                            : Theme.formatSize(page.settings.cacheSize)
            }
            Button {
                objectName: "clearCacheButton"
                text: qsTr("Clear…")
                enabled: !page.settings.cacheBusy
                onClicked: confirmClear.open()
            }

            Item { width: 1; height: 1 }
            Label {
                Layout.columnSpan: 2
                visible: page.settings.message.length > 0
                text: page.settings.message
                opacity: 0.7
            }
        }

        Item { Layout.fillHeight: true }
    }
}
