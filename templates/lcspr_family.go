package templates

import (
	"strings"

	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

// FamilyLetterData is what the family letter (Appendix 7) and leaflet (Appendix 8) are
// filled with. The family's names and address are left for the lead reviewer to write in:
// csprbot never writes to a family and never puts a name in a document it makes.
type FamilyLetterData struct {
	Partnership cspr.Partnership
	Ref         string
	Reviewer    string // the lead reviewer, if appointed
	Death       bool   // the child died (condolences) or was seriously harmed
}

// FamilyLetter is the letter telling a family about the review (Appendix 7) and the
// information leaflet (Appendix 8) as one .docx, for the lead reviewer to complete and
// send by hand.
func FamilyLetter(f FamilyLetterData) ([]byte, error) {
	p := f.Partnership
	if p.Name == "" {
		p = lewisham
	}
	var d wml
	para := func(s string) { d.para(`<w:spacing w:after="120"/>`, run{text: s}) }
	head := func(s string) {
		d.para(`<w:spacing w:before="240" w:after="120"/>`, run{text: s, bold: true, size: 26})
	}
	fill := func(s string) { d.para(`<w:spacing w:after="120"/>`, run{text: s, color: grey}) }

	d.para(`<w:jc w:val="right"/>`, run{text: "STRICTLY CONFIDENTIAL", bold: true, size: 20})
	d.para(`<w:spacing w:after="0"/>`, run{text: p.Name, bold: true, size: 28})
	if p.Address != "" {
		d.para(`<w:spacing w:after="240"/>`, run{text: p.Address, size: 20})
	}
	fill("[Address of the family member – to be written in by hand]")
	fill("[Date]")
	fill("Dear [name],")
	para("Our reference: " + f.Ref)
	if f.Death {
		para("I work for " + p.Name + " and I would like to give my condolences for the death of [child's name].")
	} else {
		para("I work for " + p.Name + " and I was sorry to hear that your [son/daughter] has been unwell.")
	}
	para("The Safeguarding Partnership's main job is to make sure different safeguarding agencies (the police, health, children's social care, education and others) work together to keep children safe. The Safeguarding Partnership is not a part of Children's Services, the police or health services, although they are all members and an important part of what we do.")
	para("Sometimes we need to learn more about how professionals have worked with a family. When we want to learn about this, we can complete a Child Safeguarding Practice Review. What we learn is shared to help everyone involved in safeguarding to keep children safe in future.")
	reviewer := "our lead reviewer"
	if f.Reviewer != "" {
		reviewer = "our lead reviewer, " + f.Reviewer + ","
	}
	para("With your agreement, " + reviewer + " would like to call you and explain more about this review, which will look at the help and support that [child's name] and you received from professionals up to and just after [date of incident]. More about the review is in the leaflet that follows.")
	para("It is your decision whether you speak with the lead reviewer or not. If you would like support when you do, you can have an advocate or a close family member with you.")
	contact := p.Email
	if p.Phone != "" {
		contact += ", " + p.Phone
	}
	para("Please call or email us if you have any questions or want to talk about this review: " + contact + ".")
	if p.Website != "" {
		para("More about us and about Child Safeguarding Practice Reviews: " + p.Website)
	}
	para("I hope to speak with you soon.")
	para("Yours sincerely,")
	fill("[Name]")
	para(orLewisham(p.Signer, "Strategic Safeguarding Lead") + ", " + p.Name)

	d.raw(`<w:p><w:r><w:br w:type="page"/></w:r></w:p>`)
	d.para(`<w:spacing w:after="240"/>`, run{text: "Child Safeguarding Practice Review: information for families", bold: true, size: 32})
	para("Sometimes a child suffers a serious injury or dies as a result of abuse or neglect. Understanding not only what happened but why things happened as they did can help to improve how we respond in future. When this happens, safeguarding partnerships are required by law to consider a Child Safeguarding Practice Review, to see whether there are lessons to learn about the way organisations have worked with you and your family.")
	para("We know this is likely to be a very difficult time for you. We believe you should know about the review and have the chance to discuss any concerns and share any feedback about the help you received. This leaflet explains what happens and what support we can offer.")
	head("What is a Child Safeguarding Practice Review?")
	para("It looks at how organisations, agencies and professionals work together to support families and keep children safe. It is not an enquiry into the cause of your child's death or serious harm; it is completely separate from any investigation by the police or the coroner; it concentrates on the work of the professionals and agencies involved with your family; and it is for them to learn lessons to improve the way they work, alone and together.")
	head("What happens next?")
	para("A review panel of senior managers from health, children's social care, the police and others will look closely at the work of everyone who worked with you and your family. Each agency gathers and analyses its records. The review is carried out by an independent lead reviewer, and reports to Ofsted and the National Child Safeguarding Practice Review Panel.")
	head("How does a review happen?")
	para("Each agency tells the lead reviewer when and what services it gave you and your family. The panel considers this in detail to find out whether expected standards were met and policies followed. You will have the chance to talk about your family's involvement with the agencies. When the review is complete, agencies decide what they need to change.")
	para("A final report gives the key findings and recommendations without personal details. It is fully anonymised and published on the partnership's website for at least 12 months. A member of the review panel, usually the lead reviewer, can meet you to discuss the review and, before it is published, to share the report with you.")
	para("If you would like to contribute your views to the review, please contact " + p.Name + ": " + contact + ".")

	return pack(map[string]string{
		"[Content_Types].xml":          contentTypes,
		"_rels/.rels":                  rootRels,
		"word/_rels/document.xml.rels": docRels,
		"word/styles.xml":              styles,
		"word/settings.xml":            settings,
		"docProps/core.xml":            coreXML("Child Safeguarding Practice Review – letter and leaflet for the family – "+f.Ref, p.Name),
		"word/document.xml":            documentXML(d.String()),
	})
}

// FamilyLetterName is the file name of the family letter and leaflet for a case.
func FamilyLetterName(ref string) string {
	return strings.TrimSpace(safeFileName(ref) + " family letter and leaflet (to complete and send by hand).docx")
}

func orLewisham(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
