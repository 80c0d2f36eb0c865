/**
 * Built-in word list for the `words` binding: common English words, lower-case, no duplicates.
 * The list (its order and length) is part of every `words` value: any edit changes outputs, and the
 * golden tests pin them.
 */
const TEXT = `
able about above across act add after again against age ago agree air all almost alone along
already also always among amount animal answer any apple area arm army around art ask away
baby back bad bag ball bank base basket bear beat beautiful bed before begin behind believe
bell below best better between big bird black blood blue board boat body bone book born both
bottom box boy bread break bright bring brother brown build burn busy buy call calm camp car
card care carry case cat catch cause cell center chair chance change charge check child city
class clean clear climb clock close cloud coast cold color come common company cook cool copy
corn corner cost count country course cover cow cross crowd cry cup current cut dance dark day
dead deal dear decide deep degree desert design desk detail develop die direct dog dollar door
double down draw dream dress drink drive drop dry duck during dust each ear early earth east
easy eat edge effect egg eight either electric else end enemy energy enough enter equal even
evening event ever every exact example except exercise expect eye face fact fair fall family
far farm fast father fear feel field fight figure fill final find fine finger finish fire first
fish fit five flat floor flower fly follow food foot force forest form forward four free fresh
friend front fruit full game garden gas gather gentle get gift girl give glad glass go gold good
grass gray great green ground group grow guess guide hair half hand happen happy hard hat have
head hear heart heat heavy help here high hill history hold hole home hope horse hot hour house
huge hunt idea inch island join joy jump just keep key kind king kitchen know lady lake land
large last late laugh law lay lead learn leave left leg letter level lie life lift light like
line list listen little live long look lose loud love low machine main make man many map mark
market master match may meal mean measure meet melody metal middle might mile milk mind minute
miss modern moment money month moon more morning most mother mountain mouth move much music name
nation natural near need never new next night nine noise north nose note nothing notice number
ocean offer office often oil old once one open order other out over own page paint pair paper
park part party pass past path pay people perhaps person pick picture piece place plain plan
plant play please point poor port position possible power present press pretty print problem
produce proper public pull push quick quiet rain raise reach read ready real reason record red
region remember repeat reply rest result rich ride right ring river road rock roll room root
rope rose round row rule run safe sail salt same sand save say school science sea season seat
second see seed sell send sense serve set seven shape share sharp sheep shell shine ship shoe
shop short shoulder show side sign silver simple sing sister sit six size skin sky sleep slow
small smell smile snow soft soil soldier solve son song soon sound south space speak special
speed spend spring square stand star start state station stay steam steel step stick still stone
stop store story straight strange stream street strong student study sugar summer sun supply
sure surface sweet swim system table tail take talk tall teach team tell ten test thank thick
thin thing think third thousand three through throw tie time tiny tire today together tomorrow
tone tool top total touch toward town track trade train travel tree trip true try turn twenty
two type under unit until use usual valley value very village visit voice wait walk wall want
warm wash watch water wave way wear weather week weight west wheel while white whole wide wife
wild win wind window winter wire wise wish woman wonder wood word work world write yard year
yellow young zero
`;

export const WORDS: readonly string[] = Object.freeze(TEXT.trim().split(/\s+/));
