// Function words that say nothing about what a question is about. Question words (what, how,
// where, when, why, who, which) are kept: "where can I get tested" and "should I get tested"
// ask for different answers.
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above after again against all am an and any are aren arent as at be because been before being
  below between both but by can cannot cant could couldn couldnt did didn didnt do does doesn doesnt doing don dont
  down during each either else ever few for from further get gets getting got had hadn hadnt has hasn hasnt have
  haven havent having he hed hes her here heres hers herself him himself his i id ill im is isn isnt it its itself
  ive just let lets like may me might more most much must mustn my myself need no nor not now of off on once only
  or other ought our ours ourselves out over own please same shall shan she shes should shouldn shouldnt so some
  such than thank thanks that thats the their theirs them themselves then there theres these they theyd theyll
  theyre theyve this those through to too under until up upon us very via was wasn wasnt we wed well were weren
  werent weve whom will with won wont would wouldn wouldnt yes yet you youd youll your youre yours yourself
  yourselves youve also really tell know want wanna gonna hi hello hey ok okay
  hiya howdy yo sup greetings morning evening afternoon bye goodbye cheers thx ty lol hmm oh ah um uh
  ve ll re don didn doesn isn aren wasn weren hasn haven hadn won wouldn couldn shouldn`
    .split(/\s+/)
    .filter(Boolean),
);
