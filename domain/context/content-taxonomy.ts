/**
 * The part of the IAB Tech Lab Content Taxonomy 3.1 this service uses: the categories of the demo rules and the
 * categories the taxonomy flags as Special Category Data.
 *
 * Source: IAB Tech Lab, Content Taxonomy 3.1 (github.com/InteractiveAdvertisingBureau/Taxonomies, "Content
 * Taxonomies/Content Taxonomy 3.1.tsv"), licensed under Creative Commons Attribution 3.0
 * (creativecommons.org/licenses/by/3.0/). Only ids and names are copied; nothing is changed.
 */

/** Its number in AdCOM's list of Category Taxonomies, the `segtax` of its ids in OpenRTB `Data` objects (7 is 3.0). */
export const CONTENT_TAXONOMY_3_1 = 9;

/** Categories the demo rules output, by id: name as in the taxonomy (tiers joined by " | "). */
export const CONTENT_CATEGORIES: Readonly<Record<string, string>> = {
  "1": "Automotive",
  "6": "Automotive | Auto Body Styles | SUV",
  "52": "Business and Finance",
  "286": "Medical Health",
  "483": "Sports",
  "533": "Sports | Soccer",
};

/**
 * Ids whose row carries "SCD" in the taxonomy's Extension column: content that could reveal health, religion,
 * politics, sexuality and the like. Such a category may describe a page; it must never describe a person.
 */
const SPECIAL_CATEGORY_IDS: ReadonlySet<string> = new Set([
  "135",
  "186",
  "187",
  "197",
  "198",
  "209",
  "212",
  "KHPC6A",
  "228",
  "234",
  "277",
  "383",
  "286",
  "323",
  "287",
  "288",
  "306",
  "312",
  "313",
  "314",
  "315",
  "316",
  "317",
  "318",
  "289",
  "290",
  "291",
  "292",
  "293",
  "294",
  "295",
  "296",
  "297",
  "298",
  "299",
  "300",
  "301",
  "302",
  "303",
  "304",
  "305",
  "307",
  "308",
  "309",
  "310",
  "311",
  "406",
  "431",
  "429",
  "451",
  "452",
  "443",
  "444",
  "453",
  "454",
  "456",
  "457",
  "458",
  "459",
  "460",
  "461",
  "455",
  "518",
]);

/** Whether a segment is a Content Taxonomy 3.1 category flagged Special Category Data. */
export function isSpecialCategory(taxonomy: number | undefined, id: string): boolean {
  return taxonomy === CONTENT_TAXONOMY_3_1 && SPECIAL_CATEGORY_IDS.has(id);
}
