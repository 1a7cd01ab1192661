#!/usr/bin/env python3
"""Writes migrations/0081_seed_templates.sql: the seed report's structure (the 2020 report,
/work/shared/seed) as a template, its figures replaced by the placeholders of the indicators
that compute them, and a second template in the order of the five statutory contents.
Run once; the migration is what ships (its checksum must not change afterwards)."""
import re, sys

seed = open(sys.argv[1], encoding="utf-8").read().strip().split("\n")

REPL = [
    ("共接听处理60557件次,办结率达100%,回访满意率达99.91%",
     "共接听处理{hotline.received}件次,办结率达{hotline.close_rate},回访满意率达{hotline.satisfaction}"),
    ("公开政府信息29742条", "公开政府信息{disclosure.published}条"),
    ("接收投诉建议4818条", "接收投诉建议{hotline.received@channel=市长信箱}条"),
    ("其中继续保留150件,废止、失效46件,修改17件,重新公布30件",
     "其中继续保留{normdoc.cleanup@outcome=继续保留}件,废止、失效{normdoc.cleanup_ended}件,修改{normdoc.cleanup@outcome=修改}件,重新公布{normdoc.cleanup@outcome=重新公布}件"),
]

def sub(text):
    for a, b in REPL:
        text = text.replace(a, b)
    return text

def lit(s):
    return "'" + s.replace("'", "''") + "'"

CN = "一二三四五六七八九十"
rows = []  # (level, heading, body, contents)
intro = seed[0]
assert intro.startswith("2020年")
rows.append((0, "", sub("{report.year}" + intro[4:]), "measures"))
for line in seed[1:-1]:
    m = re.match(r"^([一二三四五六七八九十]+)、(.*)$", line)
    if m:
        rows.append((1, m.group(2), "", "measures"))
        continue
    m = re.match(r"^\(([一二三四五六七八九十]+)\)(.*?。)(.*)$", line)
    assert m, line[:30]
    heading, body = m.group(2), m.group(3)
    contents = "measures"
    if "第一责任人职责" in body:
        contents = "measures,leaders"
    rows.append((2, heading, sub(body), contents))
closing = seed[-1]
assert closing.startswith("2020年") and "2021年" in closing
closing = "{report.year}" + closing[4:]
closing = closing.replace("2021年", "{report.next_year}年")
rows.append((0, "", closing, "plans"))

STAT = [
    (1, "{report.year}年度推进法治政府建设的主要举措和成效", "", "measures"),
    (2, "依法全面履行政府职能，优化法治化营商环境。", "“12345”政务服务便民热线共接听处理{hotline.received}件次，办结率达{hotline.close_rate}，按时办结率{hotline.on_time_rate}，回访满意率达{hotline.satisfaction}；“市长信箱”接收投诉建议{hotline.received@channel=市长信箱}条。主动公开政府信息{disclosure.published}条，按时公开率{disclosure.published_on_time_rate}；受理政府信息公开申请{disclosure.requests_received}件，按期答复率{disclosure.reply_on_time_rate}。", "measures"),
    (2, "健全依法行政制度体系，加强规范性文件监督管理。", "全年制发行政规范性文件{normdoc.issued}件，报送备案率{normdoc.filed_rate}，按时备案率{normdoc.filed_on_time_rate}。开展规范性文件清理，继续保留{normdoc.cleanup@outcome=继续保留}件，修改{normdoc.cleanup@outcome=修改}件，废止、失效{normdoc.cleanup_ended}件，重新公布{normdoc.cleanup@outcome=重新公布}件。", "measures"),
    (2, "严格规范公正文明执法。", "全年行政处罚立案{enf.cases_registered}件，按期作出决定率{enf.decided_in_time_rate}，重大执法决定法制审核覆盖率{enf.legal_review_coverage}，行政处罚决定按时公示率{enf.disclosed_on_time_rate}。", "measures"),
    (2, "依法有效化解社会矛盾纠纷。", "全年受理行政复议申请{disputes.recon_received}件，审结{disputes.recon_decided}件，纠错率{disputes.recon_correction_rate}；制发行政复议意见书{disputes.recon_opinions_issued}份、建议书{disputes.recon_suggestions_issued}份。人民调解组织调解矛盾纠纷{disputes.mediation_cases}件，调解成功率{disputes.mediation_success_rate}。", "measures"),
    (2, "强化行政权力制约和监督。", "全年督察发现问题{rectification.findings}个，整改完成率{rectification.rectified_rate}，按期整改率{rectification.on_time_rate}。", "measures"),
    (1, "存在的不足和原因", "（请如实写明存在的主要不足，并分析原因。）", "shortcomings"),
    (1, "党政主要负责人履行推进法治建设第一责任人职责情况", "（请写明党政主要负责人谋划部署、带头学法、重大问题研究、督促检查等履职情况。）", "leaders"),
    (1, "{report.next_year}年度推进法治政府建设的主要安排", "（请写明下一年度的主要工作安排。）", "plans"),
    (1, "其他需要报告的情况", "（如无，写明“无”。）", "other"),
]

out = ["-- Two templates of the annual report, as data administrators edit (annual_templates):",
       "-- the seed's structure (the 2020 report: introduction, five parts with numbered",
       "-- sub-sections, closing) with its figures bound to indicators, and one in the order of the five",
       "-- statutory contents (督察工作规定, LEGAL-RULES §10). Written by tools/seed_template.py.",
       "",
       "INSERT INTO annual_templates (code, name, description, version, created_at, updated_at) VALUES",
       "('seed2020', '按2020年度报告结构', '引言、五个部分及其分项、结语，与2020年度报告（种子报告）的结构相同；数字绑定指标', 1, 0, 0),",
       "('statutory', '按督察工作规定五项内容', '按《法治政府建设与责任落实督察工作规定》要求的五项内容排列：主要举措和成效、存在的不足和原因、党政主要负责人履职情况、下一年度工作安排、其他需要报告的情况', 1, 0, 0);",
       ""]
for code, rs in (("seed2020", rows), ("statutory", STAT)):
    out.append("INSERT INTO annual_template_sections (template_id, position, level, heading, body, contents) VALUES")
    vals = []
    for i, (lv, h, b, c) in enumerate(rs):
        vals.append(f"((SELECT id FROM annual_templates WHERE code = '{code}'), {i + 1}, {lv}, {lit(h)}, {lit(b)}, '{c}')")
    out.append(",\n".join(vals) + ";")
    out.append("")
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(out))
print(len(rows), len(STAT))
