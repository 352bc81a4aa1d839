# ruff: noqa: E501  (the stories are prose, one paragraph a line)
"""Near-duplicate pairs written for the copy-detection tests (English and Burmese).

A wire story and its reprints: one with a new lead, one with another byline
and dateline, one with the ending trimmed, and a second story from the same
wire on the same event (it shares the background paragraph and the set
phrases, and must not count as a copy).
"""

WIRE = """Troops open fire on marchers in Mandalay

By Aye Chan Moe, Myanmar Wire

MANDALAY, March 3 — Security forces opened fire on a march of several thousand people in central Mandalay on Wednesday morning, killing at least seven and wounding dozens, according to medics and witnesses at the scene.

The marchers had gathered near the clock tower on 84th Street shortly after dawn, carrying banners that called for the release of detained leaders. Witnesses said soldiers arrived in six trucks at about half past nine and fired tear gas before shooting with live rounds.

"They did not warn us. They just started shooting at the front of the crowd," said a 24-year-old university student who asked not to be named for fear of arrest. She said she helped carry two wounded men into a monastery compound on the corner of 30th Street.

A volunteer rescue team said it had taken 31 people to private clinics, because the general hospital had been occupied by troops since the previous week. Four of the dead were under twenty years old, the team said.

The military seized power in a coup on February 1, detaining elected leaders and cutting mobile internet across much of the country. Rights groups say more than 1,100 people have been arrested since then.

A spokesman for the military council did not answer calls on Wednesday. State television said in its evening bulletin that security forces had dispersed rioters who attacked a police post, and that one officer had been injured.

Residents said the streets around the market were empty by the afternoon, and that soldiers were checking the phones of people passing through the checkpoints on the main roads into the city.
"""

# Another outlet's lead, the rest as sent by the wire.
WIRE_NEW_LEAD = WIRE.replace(
    "Security forces opened fire on a march of several thousand people in central Mandalay "
    "on Wednesday morning, killing at least seven and wounding dozens, according to medics "
    "and witnesses at the scene.",
    "At least seven protesters were killed in Myanmar's second city on Wednesday when "
    "soldiers shot into a crowd that had come out against the junta, medics told our "
    "correspondent, in the deadliest day the city has seen since the coup.",
)

WIRE_BYLINE = WIRE.replace(
    "By Aye Chan Moe, Myanmar Wire\n\nMANDALAY, March 3 —",
    "Staff and agencies | The Daily Eleven\n\nMandalay (Wire) —",
)

# A paper short of space: the last three paragraphs cut.
WIRE_TRIMMED = WIRE[: WIRE.index("The military seized power")].rstrip() + "\n"

# The same wire, the same day, the same event: another story.
WIRE_OTHER = """Funerals held under guard after Mandalay shootings

By Aye Chan Moe, Myanmar Wire

MANDALAY, March 4 — Hundreds of mourners followed the coffins of three young men through the eastern suburbs of Mandalay on Thursday, a day after security forces opened fire on a march in the city centre.

Families said they had been told by ward officials to hold the funerals quickly and to keep the processions small. Soldiers watched from trucks parked at the cemetery gate, and plain-clothes police photographed the mourners as they left.

"My son went out to march for his future. Now I am burying him," said the father of a 19-year-old mechanic, who was shot in the chest near the clock tower. He said the family had waited eleven hours for the body to be released from a military hospital.

Teachers at two schools in the suburb said they would join the civil disobedience movement next week, and a group of lawyers said it would document every death in the city since February.

The military seized power in a coup on February 1, detaining elected leaders and cutting mobile internet across much of the country. Rights groups say more than 1,100 people have been arrested since then.

A spokesman for the military council did not answer calls on Thursday. State media did not report the funerals.
"""

# Burmese: a report, a reprint with a new first paragraph, one trimmed, and a
# second report on the same event that shares its background sentence.
MY_WIRE = """မန္တလေးမြို့တွင် ဆန္ဒပြသူများကို ပစ်ခတ်

မန္တလေး၊ မတ် ၃ ရက် — မန္တလေးမြို့ လမ်း ၈၄ လမ်းရှိ နာရီစင်အနီးတွင် ဗုဒ္ဓဟူးနေ့ နံနက်က စုဝေးဆန္ဒပြနေသူ ထောင်နှင့်ချီကို လုံခြုံရေးတပ်ဖွဲ့များက ပစ်ခတ်ခဲ့ရာ အနည်းဆုံး ခုနစ်ဦး သေဆုံးပြီး ဒါဇင်နှင့်ချီ ဒဏ်ရာရခဲ့ကြောင်း ဆေးဝန်ထမ်းများနှင့် မျက်မြင်သက်သေများက ပြောသည်။

စစ်သားများသည် ကားခြောက်စီးဖြင့် ရောက်ရှိလာပြီး မျက်ရည်ယိုဗုံးများ ပစ်ခတ်ပြီးနောက် ကျည်အစစ်ဖြင့် ပစ်ခတ်ခဲ့ကြောင်း မျက်မြင်သက်သေများက ပြောကြားသည်။ သတိပေးခြင်း မရှိဘဲ လူအုပ်၏ ရှေ့ဆုံးသို့ ချက်ချင်း ပစ်ခတ်ခဲ့သည်ဟု အသက် ၂၄ နှစ်အရွယ် တက္ကသိုလ်ကျောင်းသူတစ်ဦးက ပြောသည်။

ဒဏ်ရာရသူ ၃၁ ဦးကို ပုဂ္ဂလိကဆေးခန်းများသို့ ပို့ဆောင်ခဲ့ရကြောင်း ကယ်ဆယ်ရေးအဖွဲ့က ပြောသည်။ ပြည်သူ့ဆေးရုံကြီးကို ပြီးခဲ့သည့်အပတ်ကတည်းက စစ်တပ်က သိမ်းပိုက်ထားသောကြောင့် ဖြစ်သည်။ သေဆုံးသူ လေးဦးမှာ အသက် နှစ်ဆယ်အောက် လူငယ်များ ဖြစ်ကြောင်း အဖွဲ့က ဆိုသည်။

စစ်တပ်သည် ဖေဖော်ဝါရီ ၁ ရက်တွင် အာဏာသိမ်းခဲ့ပြီး ရွေးကောက်ခံ ခေါင်းဆောင်များကို ဖမ်းဆီးကာ တစ်နိုင်ငံလုံးတွင် မိုဘိုင်းအင်တာနက်ကို ဖြတ်တောက်ခဲ့သည်။ ထိုအချိန်မှစ၍ လူ ၁၁၀၀ ကျော် ဖမ်းဆီးခံခဲ့ရကြောင်း အခွင့်အရေးအဖွဲ့များက ပြောသည်။

စစ်ကောင်စီ ပြောခွင့်ရသူထံ ဖုန်းဆက်သော်လည်း ဖြေကြားခြင်း မရှိပါ။ နိုင်ငံပိုင် ရုပ်မြင်သံကြားက လုံခြုံရေးတပ်ဖွဲ့များသည် ရဲကင်းကို တိုက်ခိုက်သည့် အဓိကရုဏ်းသမားများကို ဖြိုခွင်းခဲ့သည်ဟု ညနေသတင်းတွင် ဖော်ပြသည်။
"""

MY_WIRE_NEW_LEAD = MY_WIRE.replace(
    MY_WIRE.split("\n\n")[1],
    "မြန်မာနိုင်ငံ ဒုတိယမြို့တော် မန္တလေးတွင် ဗုဒ္ဓဟူးနေ့က စစ်အာဏာရှင်ကို ဆန့်ကျင်သူ "
    "လူအုပ်ထဲသို့ စစ်သားများ ပစ်ခတ်ခဲ့ရာ အနည်းဆုံး ခုနစ်ဦး သေဆုံးခဲ့ကြောင်း ဆေးဝန်ထမ်းများက "
    "ကျွန်ုပ်တို့ သတင်းထောက်ကို ပြောသည်။",
)

MY_WIRE_TRIMMED = MY_WIRE[: MY_WIRE.index("စစ်တပ်သည် ဖေဖော်ဝါရီ")].rstrip() + "\n"

MY_OTHER = """မန္တလေး ပစ်ခတ်မှုအပြီး အသုဘများကို စောင့်ကြပ်မှုအောက်တွင် ချပြီ

မန္တလေး၊ မတ် ၄ ရက် — ပစ်ခတ်မှုဖြစ်ပြီး နောက်တစ်နေ့ ကြာသပတေးနေ့တွင် မန္တလေးမြို့ အရှေ့ပိုင်း ရပ်ကွက်များ၌ လူငယ် သုံးဦး၏ အသုဘကို ဆွေမျိုးမိတ်ဆွေ ရာနှင့်ချီ လိုက်ပါပို့ဆောင်ခဲ့ကြသည်။

အသုဘကို မြန်မြန်ချရန်နှင့် လူနည်းနည်းသာ လိုက်ရန် ရပ်ကွက်အုပ်ချုပ်ရေးမှူးများက ပြောထားကြောင်း မိသားစုများက ဆိုသည်။ သုသာန်တံခါးဝတွင် ရပ်ထားသော ကားများပေါ်မှ စစ်သားများက စောင့်ကြည့်နေပြီး အရပ်ဝတ် ရဲများက ဓာတ်ပုံ ရိုက်ယူခဲ့သည်။

ကျွန်တော့်သား သူ့အနာဂတ်အတွက် ဆန္ဒပြဖို့ ထွက်သွားတာ၊ အခု ကျွန်တော် သူ့ကို မြှုပ်နှံနေရပြီဟု အသက် ၁၉ နှစ်အရွယ် စက်ပြင်ဆရာ၏ ဖခင်က ပြောသည်။ စစ်ဆေးရုံမှ ရုပ်အလောင်း ပြန်ရရန် ဆယ့်တစ်နာရီ စောင့်ခဲ့ရကြောင်း သူက ဆိုသည်။

စစ်တပ်သည် ဖေဖော်ဝါရီ ၁ ရက်တွင် အာဏာသိမ်းခဲ့ပြီး ရွေးကောက်ခံ ခေါင်းဆောင်များကို ဖမ်းဆီးကာ တစ်နိုင်ငံလုံးတွင် မိုဘိုင်းအင်တာနက်ကို ဖြတ်တောက်ခဲ့သည်။ ထိုအချိန်မှစ၍ လူ ၁၁၀၀ ကျော် ဖမ်းဆီးခံခဲ့ရကြောင်း အခွင့်အရေးအဖွဲ့များက ပြောသည်။

နိုင်ငံပိုင် မီဒီယာများက အသုဘများအကြောင်း ဖော်ပြခြင်း မရှိပါ။
"""

COPIES = {
    "new lead": (WIRE, WIRE_NEW_LEAD),
    "byline": (WIRE, WIRE_BYLINE),
    "trimmed": (WIRE, WIRE_TRIMMED),
    "new lead vs trimmed": (WIRE_NEW_LEAD, WIRE_TRIMMED),
    "burmese new lead": (MY_WIRE, MY_WIRE_NEW_LEAD),
    "burmese trimmed": (MY_WIRE, MY_WIRE_TRIMMED),
}
NOT_COPIES = {
    "same wire, same event": (WIRE, WIRE_OTHER),
    "trimmed vs other": (WIRE_TRIMMED, WIRE_OTHER),
    "burmese same event": (MY_WIRE, MY_OTHER),
    "burmese trimmed vs other": (MY_WIRE_TRIMMED, MY_OTHER),
}
