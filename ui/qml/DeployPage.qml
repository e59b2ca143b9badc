import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Page {
    objectName: "deployPage"
    padding: 24

    ColumnLayout {
        anchors.fill: parent
        spacing: 24

        PageHeader {
            Layout.fillWidth: true
            title: qsTr("Deploy")
            subtitle: qsTr("Pick a project, a branch or commit, and targets; then Deploy.")
        }

        EmptyState {
            Layout.fillWidth: true
            Layout.fillHeight: true
            heading: qsTr("Nothing to deploy yet")
            explanation: qsTr("Add a project on the Projects page and a target on the Targets page; the pipeline, the layers and the live log of a run appear here.")
        }
    }
}
