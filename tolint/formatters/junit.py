"""``junit``: JUnit XML for CI test dashboards (GitLab, Jenkins, Azure).

One ``testcase`` per finding (a ``failure``) and per input error (an ``error``), and one
passing ``testcase`` per linted file without findings, so dashboards show what was checked.
Text from input files may contain any character; characters XML 1.0 cannot carry are
shown as ``\\xNN`` so the document always parses.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from tolint.pipeline import Report

# Characters outside XML 1.0's Char production, plus C1 controls (allowed but unreadable).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


class JunitFormatter:
    name = "junit"
    description = "JUnit XML: a failing test case per finding, a passing one per clean file"

    def write(self, report: Report, stream: TextIO, color: bool) -> None:
        import xml.etree.ElementTree as ET  # only when this format is used

        suites = ET.Element("testsuites", name="tolint")
        suite = ET.SubElement(suites, "testsuite", name="tolint")
        failures = errors = tests = 0
        touched: set[str] = set()
        for diagnostic in report.diagnostics:
            tests += 1
            errors += diagnostic.severity == "error"
            touched.add(diagnostic.file)
            where = ":".join(str(p) for p in (diagnostic.file, diagnostic.line, diagnostic.column) if p)
            case = ET.SubElement(suite, "testcase", classname=xml_text(diagnostic.file),
                                 name=xml_text(f"input {where}"))
            tag = "error" if diagnostic.severity == "error" else "system-out"
            element = ET.SubElement(case, tag, message=xml_text(diagnostic.message)) if tag == "error" \
                else ET.SubElement(case, tag)
            element.text = xml_text(f"{where}: {diagnostic.severity}: {diagnostic.message}")
        for finding in report.shown():
            tests += 1
            failures += 1
            touched.add(finding.location.file)
            case = ET.SubElement(suite, "testcase", classname=xml_text(finding.location.file),
                                 name=xml_text(f"{finding.code} {finding.name} at {finding.location.text()}"))
            failure = ET.SubElement(case, "failure", message=xml_text(finding.message),
                                    type=f"{finding.code} {finding.severity}")
            details = [f"{finding.location.text()}: {finding.code} {finding.message} [{finding.name}]"]
            details += [f"  {r.location.text()}: {r.message}" for r in finding.related]
            failure.text = xml_text("\n".join(details))
        for file in report.files:
            if file in touched:
                continue
            tests += 1
            ET.SubElement(suite, "testcase", classname=xml_text(file), name=xml_text(f"{file} has no findings"))
        for element in (suites, suite):
            element.set("tests", str(tests))
            element.set("failures", str(failures))
            element.set("errors", str(errors))
        ET.indent(suites)
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        stream.write(ET.tostring(suites, encoding="unicode"))
        stream.write("\n")
