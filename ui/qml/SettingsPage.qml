import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Page {
    objectName: "settingsPage"
    padding: 24

    ColumnLayout {
        anchors.fill: parent
        spacing: 24

        PageHeader {
            Layout.fillWidth: true
            title: qsTr("Settings")
            subtitle: qsTr("Compression, parallelism, cache and registry credentials.")
        }

        EmptyState {
            Layout.fillWidth: true
            Layout.fillHeight: true
            heading: qsTr("Nothing to set yet")
            explanation: qsTr("Compression level, parallel jobs, the cache and registry credentials will be set here.")
        }
    }
}
