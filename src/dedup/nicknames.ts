/**
 * English given-name variants: each group is a formal name followed by its common short
 * forms and diminutives. A name may sit in several groups (`chris` is Christopher,
 * Christine and Christina; `al` is Albert, Alfred, Alan, Alexander), so lookups answer a
 * set of group numbers and two names are nickname-equivalent when their sets intersect.
 *
 * Data, not logic: extend it freely. Entries are already normalised (lower case, ASCII).
 */
const GROUPS: readonly (readonly string[])[] = [
  ['abigail', 'abby', 'abbie', 'gail'],
  ['abraham', 'abe', 'bram'],
  ['adrian', 'ade'],
  ['agnes', 'aggie', 'nessa'],
  ['albert', 'al', 'bert', 'bertie'],
  ['alexander', 'alex', 'alec', 'al', 'sandy', 'xander', 'lex'],
  ['alexandra', 'alex', 'alexa', 'sandra', 'sandy', 'lexi', 'lexie'],
  ['alfred', 'al', 'alf', 'alfie', 'fred', 'freddie'],
  ['allan', 'al', 'alan', 'allen'],
  ['andrew', 'andy', 'drew', 'andie'],
  ['angela', 'angie', 'angel'],
  ['anne', 'ann', 'anna', 'annie', 'nan', 'nancy', 'nanny'],
  ['anthony', 'tony', 'ant', 'antony'],
  ['arthur', 'art', 'artie'],
  ['barbara', 'barb', 'barbie', 'babs'],
  ['benjamin', 'ben', 'benji', 'benny', 'benjy'],
  ['bernard', 'bernie', 'barney'],
  ['beverly', 'bev'],
  ['bradley', 'brad'],
  ['caroline', 'carol', 'carrie', 'caro', 'carolyn'],
  ['charles', 'charlie', 'chuck', 'chas', 'chaz', 'chip', 'carl'],
  ['charlotte', 'charlie', 'lottie', 'lotte', 'char'],
  ['christian', 'chris', 'christy'],
  ['christina', 'chris', 'tina', 'chrissy', 'christie', 'kristina'],
  ['christine', 'chris', 'chrissie', 'chrissy', 'tina', 'kristine'],
  ['christopher', 'chris', 'kit', 'topher', 'kris'],
  ['clifford', 'cliff'],
  ['cynthia', 'cindy', 'cyndi'],
  ['daniel', 'dan', 'danny', 'dani'],
  ['danielle', 'dani', 'elle'],
  ['david', 'dave', 'davy', 'davey', 'davie'],
  ['deborah', 'deb', 'debbie', 'debby', 'debra'],
  ['dennis', 'den', 'denny'],
  ['dominic', 'dom', 'nick'],
  ['donald', 'don', 'donnie', 'donny'],
  ['dorothy', 'dot', 'dottie', 'dolly', 'dora'],
  ['douglas', 'doug', 'dougie'],
  ['edward', 'ed', 'eddie', 'eddy', 'ned', 'ted', 'teddy'],
  ['edmund', 'ed', 'eddie', 'ned'],
  ['edwin', 'ed', 'eddie'],
  ['eleanor', 'ellie', 'elle', 'nell', 'nellie', 'nora', 'elli'],
  ['elizabeth', 'liz', 'lizzie', 'lizzy', 'beth', 'betty', 'bess', 'bessie', 'eliza', 'libby', 'betsy', 'lisa', 'elisabeth', 'ellie', 'liza'],
  ['emily', 'em', 'emmy', 'millie'],
  ['emma', 'em', 'emmy'],
  ['eugene', 'gene'],
  ['frances', 'fran', 'frankie', 'fanny'],
  ['francis', 'frank', 'frankie', 'fran'],
  ['franklin', 'frank', 'frankie'],
  ['frederick', 'fred', 'freddie', 'freddy', 'rick', 'fritz'],
  ['gabriel', 'gabe', 'gabby'],
  ['gabrielle', 'gabby', 'gabi', 'elle'],
  ['geoffrey', 'geoff', 'jeff', 'jeffrey'],
  ['gerald', 'gerry', 'jerry'],
  ['gregory', 'greg', 'gregg'],
  ['harold', 'harry', 'hal'],
  ['henry', 'harry', 'hank', 'hal', 'hen'],
  ['herbert', 'herb', 'bert'],
  ['isabella', 'bella', 'izzy', 'isabel', 'isabelle', 'izzie', 'belle'],
  ['jacob', 'jake', 'jack', 'coby'],
  ['jacqueline', 'jackie', 'jacqui'],
  ['james', 'jim', 'jimmy', 'jamie', 'jem', 'jimmie'],
  ['jane', 'janie', 'jenny', 'jan'],
  ['janet', 'jan', 'jenny', 'nettie'],
  ['jennifer', 'jen', 'jenny', 'jenn', 'jenni', 'jennie'],
  ['jessica', 'jess', 'jessie', 'jessi'],
  ['john', 'jack', 'johnny', 'jon', 'jonny', 'jock'],
  ['jonathan', 'jon', 'jonny', 'nathan', 'johnny'],
  ['joseph', 'joe', 'joey', 'jo', 'jos'],
  ['josephine', 'jo', 'josie', 'jody', 'josey'],
  ['joshua', 'josh'],
  ['judith', 'judy', 'judi', 'jude'],
  ['julia', 'jules', 'julie'],
  ['katherine', 'catherine', 'kathryn', 'cathy', 'cath', 'kate', 'katie', 'kathy', 'kat', 'cat', 'kath', 'kay', 'kathleen', 'kitty', 'katy', 'cate'],
  ['kenneth', 'ken', 'kenny'],
  ['kimberly', 'kim', 'kimmy'],
  ['lawrence', 'larry', 'laurie', 'lawrie', 'laurence'],
  ['leonard', 'leo', 'len', 'lenny', 'leon'],
  ['lucinda', 'lucy', 'cindy'],
  ['margaret', 'maggie', 'meg', 'peggy', 'marge', 'margie', 'madge', 'greta', 'molly', 'maisie', 'daisy', 'rita', 'peg'],
  ['matilda', 'tilly', 'tillie', 'mattie', 'maud'],
  ['matthew', 'matt', 'matty', 'mat'],
  ['mary', 'molly', 'polly', 'mae', 'mamie', 'maria', 'marie', 'maura'],
  ['michael', 'mike', 'mick', 'mickey', 'mikey', 'mitch'],
  ['michelle', 'shelly', 'shelley', 'mich', 'chelle'],
  ['nathaniel', 'nate', 'nat', 'nathan', 'nath'],
  ['nicholas', 'nick', 'nicky', 'nico', 'nic', 'klaus'],
  ['nicole', 'nicky', 'nikki', 'nic', 'cole'],
  ['oliver', 'ollie', 'olly', 'noll'],
  ['olivia', 'liv', 'livvy', 'ollie'],
  ['patricia', 'pat', 'patty', 'patsy', 'trish', 'tricia', 'trisha'],
  ['patrick', 'pat', 'paddy', 'rick', 'patty'],
  ['peter', 'pete', 'petey'],
  ['philip', 'phil', 'pip', 'phillip'],
  ['rebecca', 'becky', 'becca', 'bec', 'reba'],
  ['raymond', 'ray'],
  ['richard', 'rick', 'ricky', 'rich', 'richie', 'dick', 'dickie', 'rico'],
  ['robert', 'bob', 'bobby', 'rob', 'robbie', 'robby', 'bert', 'bertie', 'robin', 'rab'],
  ['roberta', 'bobbie', 'robbie', 'bertie'],
  ['ronald', 'ron', 'ronnie', 'ronny'],
  ['rosemary', 'rose', 'rosie', 'romy'],
  ['samantha', 'sam', 'sammy', 'sammie'],
  ['samuel', 'sam', 'sammy', 'sammie'],
  ['sarah', 'sally', 'sadie', 'sara', 'sal'],
  ['sebastian', 'seb', 'bastian', 'sebby'],
  ['stephanie', 'steph', 'stevie', 'steffi'],
  ['stephen', 'steve', 'stevie', 'steven', 'steph'],
  ['susan', 'sue', 'susie', 'suzy', 'suzie', 'susanna', 'susannah'],
  ['theodore', 'ted', 'teddy', 'theo'],
  ['thomas', 'tom', 'tommy', 'thom', 'tam'],
  ['timothy', 'tim', 'timmy'],
  ['valerie', 'val'],
  ['victoria', 'vicky', 'vicki', 'tori', 'vickie', 'vic', 'toria'],
  ['vincent', 'vince', 'vinny', 'vin'],
  ['walter', 'walt', 'wally'],
  ['william', 'bill', 'billy', 'will', 'willy', 'willie', 'liam', 'wil'],
  ['zachary', 'zach', 'zack', 'zac'],
];

const INDEX: ReadonlyMap<string, readonly number[]> = (() => {
  const index = new Map<string, number[]>();
  GROUPS.forEach((group, groupNumber) => {
    for (const name of group) {
      const groups = index.get(name) ?? [];
      if (!groups.includes(groupNumber)) groups.push(groupNumber);
      index.set(name, groups);
    }
  });
  return index;
})();

/** The group numbers a normalised given name belongs to; empty when it is in no group. */
export function nicknameGroups(normalisedName: string): readonly number[] {
  return INDEX.get(normalisedName) ?? [];
}

/**
 * True when two normalised given names are the same or nickname variants of each other
 * (`bob` and `robert`, `liz` and `beth`, `kate` and `katherine`).
 */
export function areNicknameVariants(a: string, b: string): boolean {
  if (a === b) return true;
  const groupsA = INDEX.get(a);
  const groupsB = INDEX.get(b);
  if (groupsA === undefined || groupsB === undefined) return false;
  for (const group of groupsA) if (groupsB.includes(group)) return true;
  return false;
}

/**
 * The formal name a given name canonicalises to when that is unambiguous (`bill` ->
 * `william`); the name itself when it is in no group or in several (`chris`).
 */
export function canonicalGivenName(normalisedName: string): string {
  const groups = INDEX.get(normalisedName);
  if (groups?.length !== 1) return normalisedName;
  return GROUPS[groups[0] as number]?.[0] ?? normalisedName;
}
